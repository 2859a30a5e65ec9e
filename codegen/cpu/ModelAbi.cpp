//===- ModelAbi.cpp - descriptor and entry of a compiled model ------------===//
#include "codegen/cpu/ModelAbi.h"
#include "codegen/cpu/DispatchAbi.h"

#include "strata/model_abi.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;

namespace strata {
namespace {

Constant *cString(Module &module, StringRef text, const Twine &symbol) {
  Constant *data = ConstantDataArray::getString(module.getContext(), text);
  auto *global = new GlobalVariable(module, data->getType(), /*isConstant=*/true,
                                    GlobalValue::PrivateLinkage, data, symbol);
  global->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return global;
}

/// The strata_tensor_desc array for `tensors`.
Constant *tensorTable(Module &module, StructType *descType,
                      const std::vector<TensorSignature> &tensors,
                      StringRef prefix) {
  LLVMContext &ctx = module.getContext();
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);
  std::vector<Constant *> entries;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorSignature &t = tensors[i];
    std::string base = (prefix + Twine(i)).str();
    SmallVector<Constant *> dims;
    for (int64_t d : t.shape)
      dims.push_back(ConstantInt::get(i64, d));
    auto *shapeType = ArrayType::get(i64, dims.size());
    auto *shape = new GlobalVariable(
        module, shapeType, true, GlobalValue::PrivateLinkage,
        ConstantArray::get(shapeType, dims), base + ".shape");
    entries.push_back(ConstantStruct::get(
        descType, {cString(module, t.name, base + ".name"),
                   ConstantInt::get(i32, t.dtype),
                   ConstantInt::get(i32, t.shape.size()), shape}));
  }
  auto *tableType = ArrayType::get(descType, entries.size());
  return new GlobalVariable(module, tableType, true,
                            GlobalValue::PrivateLinkage,
                            ConstantArray::get(tableType, entries), prefix);
}

/// The descriptor's pinned_inputs array: one pointer per input, null where
/// the input is not pinned.
Constant *pinnedTable(Module &module,
                      const std::vector<TensorSignature> &inputs) {
  LLVMContext &ctx = module.getContext();
  PointerType *ptr = PointerType::getUnqual(ctx);
  bool any = false;
  std::vector<Constant *> entries;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<uint8_t> &bytes = inputs[i].pinnedValue;
    if (bytes.empty()) {
      entries.push_back(ConstantPointerNull::get(ptr));
      continue;
    }
    any = true;
    Constant *data = ConstantDataArray::get(ctx, ArrayRef<uint8_t>(bytes));
    auto *global = new GlobalVariable(module, data->getType(), true,
                                      GlobalValue::PrivateLinkage, data,
                                      "strata.pinned" + Twine(i));
    global->setAlignment(Align(16));
    entries.push_back(global);
  }
  if (!any)
    return ConstantPointerNull::get(ptr);
  auto *tableType = ArrayType::get(ptr, entries.size());
  return new GlobalVariable(module, tableType, true,
                            GlobalValue::PrivateLinkage,
                            ConstantArray::get(tableType, entries),
                            "strata.pinned_inputs");
}

/// The integrity note (model_abi.h): an ELF note "strata" of type
/// STRATA_NOTE_INTEGRITY in an allocated .note section, which the linker
/// puts in a PT_NOTE segment. Its file size and CRC-32C are zero here;
/// the artifact writer fills them in once the library is linked.
void addIntegrityNote(Module &module) {
  std::vector<uint8_t> bytes;
  auto put32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i)
      bytes.push_back(uint8_t(v >> (8 * i)));
  };
  put32(sizeof STRATA_NOTE_NAME);             // n_namesz, with the NUL
  put32(sizeof(strata_integrity_note));        // n_descsz
  put32(STRATA_NOTE_INTEGRITY);                // n_type
  for (char c : StringRef(STRATA_NOTE_NAME, sizeof STRATA_NOTE_NAME))
    bytes.push_back(uint8_t(c));
  while (bytes.size() % 4)
    bytes.push_back(0);                        // the name pads to 4
  put32(1);                                    // version
  put32(STRATA_CHECKSUM_CRC32C);               // algorithm
  put32(0), put32(0);                          // file_size, filled later
  put32(0), put32(0);                          // crc32c, reserved
  Constant *data = ConstantDataArray::get(module.getContext(), bytes);
  auto *note = new GlobalVariable(module, data->getType(), /*isConstant=*/true,
                                  GlobalValue::InternalLinkage, data,
                                  "strata.integrity_note");
  note->setSection(".note.strata");
  note->setAlignment(Align(4));
  appendToUsed(module, {note});
}

/// int32_t <entryName>(void **buffers): loads the buffer pointers and calls
/// `implName`, which it makes internal.
Expected<Function *> addEntryWrapper(Module &module, StringRef implName,
                                     size_t numBuffers,
                                     const Twine &entryName) {
  LLVMContext &ctx = module.getContext();
  Function *impl = module.getFunction(implName);
  if (!impl)
    return createStringError("compiled module has no function '%s'",
                             implName.str().c_str());
  // Inputs, outputs, the arena and the executor.
  if (impl->arg_size() != numBuffers)
    return createStringError(
        "function '%s' takes %u arguments, the model has %zu inputs+outputs "
        "and an arena and an executor",
        implName.str().c_str(), impl->arg_size(), numBuffers);
  impl->setLinkage(GlobalValue::InternalLinkage);
  Type *i32 = Type::getInt32Ty(ctx);
  PointerType *ptr = PointerType::getUnqual(ctx);
  auto *entryType = FunctionType::get(i32, {ptr}, false);
  Function *entry = Function::Create(entryType, GlobalValue::InternalLinkage,
                                     entryName, module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", entry));
  SmallVector<Value *> args;
  for (size_t i = 0; i < numBuffers; ++i) {
    Value *slot = b.CreateConstGEP1_64(ptr, entry->getArg(0), i);
    args.push_back(b.CreateLoad(ptr, slot));
  }
  b.CreateCall(impl, args);
  b.CreateRet(ConstantInt::get(i32, 0));
  return entry;
}

} // namespace

Error addModelAbi(Module &module, const ModelSignature &sig,
                  StringRef implName, const TargetRecord &target) {
  LLVMContext &ctx = module.getContext();
  Type *i32 = Type::getInt32Ty(ctx);
  PointerType *ptr = PointerType::getUnqual(ctx);
  size_t numBuffers = sig.inputs.size() + sig.outputs.size() + 2;
  Expected<Function *> entry = addEntryWrapper(
      module, implName, numBuffers, "strata_" + sig.name + "_entry");
  if (!entry)
    return entry.takeError();
  Constant *batchEntry = ConstantPointerNull::get(ptr);
  if (sig.batchChunk > 1) {
    Expected<Function *> chunked =
        addEntryWrapper(module, sig.batchImplName, numBuffers,
                        "strata_" + sig.name + "_batch_entry");
    if (!chunked)
      return chunked.takeError();
    batchEntry = *chunked;
  }

  // The descriptor, laid out as strata_tensor_desc / strata_model_desc.
  auto *tensorDesc = StructType::create(ctx, {ptr, i32, i32, ptr},
                                        "strata_tensor_desc");
  Type *i64 = Type::getInt64Ty(ctx);
  auto *modelDesc = StructType::create(
      ctx,
      {i32, i32, i32, i32, ptr, ptr, ptr, ptr, ptr, ptr, ptr, i32, i32, i64, i64,
       i32, i32, ptr, ptr, i64, ptr, i32, i32, ptr, i32, i32, i64},
      "strata_model_desc");
  // The dispatch table, which addDispatchAbi defines first (none: null).
  GlobalVariable *dispatches =
      module.getGlobalVariable(kDispatchTableSymbol, /*AllowInternal=*/true);
  uint64_t numDispatches =
      dispatches ? cast<ArrayType>(dispatches->getValueType())->getNumElements()
                 : 0;
  Constant *dispatchTable = dispatches && numDispatches
                                ? static_cast<Constant *>(dispatches)
                                : ConstantPointerNull::get(ptr);
  // External weights: the file's name and the slot for its address.
  Constant *weightsFile = ConstantPointerNull::get(ptr);
  Constant *weightsSlot = ConstantPointerNull::get(ptr);
  if (!sig.weightsFile.empty()) {
    weightsFile = cString(module, sig.weightsFile, "strata.weights_file");
    weightsSlot = module.getGlobalVariable(sig.weightsSlot,
                                           /*AllowInternal=*/true);
    if (!weightsSlot)
      return createStringError("the weights pointer '%s' is missing",
                               sig.weightsSlot.c_str());
  }
  Constant *desc = ConstantStruct::get(
      modelDesc,
      {ConstantInt::get(i32, STRATA_MODEL_ABI_VERSION),
       ConstantInt::get(i32, sig.inputs.size()),
       ConstantInt::get(i32, sig.outputs.size()),
       ConstantInt::get(i32, sig.batchLoop ? STRATA_MODEL_FLAG_BATCH_LOOP : 0),
       cString(module, sig.name, "strata.model_name"),
       tensorTable(module, tensorDesc, sig.inputs, "strata.inputs"),
       tensorTable(module, tensorDesc, sig.outputs, "strata.outputs"),
       *entry, pinnedTable(module, sig.inputs),
       cString(module, target.target, "strata.target"),
       cString(module, target.cpu, "strata.cpu"),
       ConstantInt::get(i32, target.arch), ConstantInt::get(i32, 0),
       ConstantInt::get(i64, target.cpuFeatures),
       ConstantInt::get(i64, sig.arenaBytes),
       ConstantInt::get(i32, numDispatches), ConstantInt::get(i32, 0),
       dispatchTable, weightsFile, ConstantInt::get(i64, sig.weightsBytes),
       weightsSlot, ConstantInt::get(i32, sig.weightsCrc32c),
       ConstantInt::get(i32, 0), batchEntry,
       ConstantInt::get(i32, sig.batchChunk > 1 ? sig.batchChunk : 0),
       ConstantInt::get(i32, 0),
       ConstantInt::get(i64, sig.batchChunk > 1 ? sig.batchChunkArenaBytes
                                                : 0)});
  auto *global = new GlobalVariable(module, modelDesc, true,
                                    GlobalValue::InternalLinkage, desc,
                                    "strata." + sig.name + ".descriptor");
  // Weak alias: several statically linked models do not clash; dlsym of a
  // shared library finds it.
  GlobalAlias::create(modelDesc, 0, GlobalValue::WeakAnyLinkage,
                      STRATA_DESCRIPTOR_SYMBOL, global, &module);

  addIntegrityNote(module);

  // const strata_model_desc *strata_<name>_descriptor(void)
  Function *accessor =
      Function::Create(FunctionType::get(ptr, false),
                       GlobalValue::ExternalLinkage,
                       "strata_" + sig.name + "_descriptor", module);
  IRBuilder<> ab(BasicBlock::Create(ctx, "entry", accessor));
  ab.CreateRet(global);
  return Error::success();
}

} // namespace strata

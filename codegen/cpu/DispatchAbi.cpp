//===- DispatchAbi.cpp - launches of dispatch functions in LLVM IR --------===//
#include "codegen/cpu/DispatchAbi.h"

#include "strata/model_abi.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Module.h"

#include <cstddef>

using namespace llvm;

namespace strata {
namespace {

constexpr uint64_t kSlotBytes = 8;

/// void strata.workgroup.<suffix>(const void *slots, int64_t workgroup):
/// loads the captures back and calls the body.
Function *createTrampoline(Module &module, Function *body, StringRef suffix) {
  LLVMContext &ctx = module.getContext();
  Type *i64 = Type::getInt64Ty(ctx);
  PointerType *ptr = PointerType::getUnqual(ctx);
  auto *type = FunctionType::get(Type::getVoidTy(ctx), {ptr, i64}, false);
  Function *trampoline = Function::Create(
      type, GlobalValue::InternalLinkage, "strata.workgroup." + suffix, module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", trampoline));
  SmallVector<Value *> args = {trampoline->getArg(1)};
  for (unsigned i = 1; i < body->arg_size(); ++i) {
    Value *slot = b.CreateConstGEP1_64(i64, trampoline->getArg(0), i - 1);
    args.push_back(b.CreateLoad(body->getArg(i)->getType(), slot));
  }
  b.CreateCall(body, args);
  b.CreateRetVoid();
  return trampoline;
}

/// An array of 8-byte slots on the stack holding `captures`, in order (one
/// slot when there is none).
Value *storeSlots(IRBuilder<> &b, ArrayRef<Value *> captures) {
  Type *i64 = b.getInt64Ty();
  Value *slots = b.CreateAlloca(
      ArrayType::get(i64, std::max<size_t>(1, captures.size())));
  for (auto [i, capture] : llvm::enumerate(captures))
    b.CreateStore(capture, b.CreateConstGEP1_64(i64, slots, i));
  return slots;
}

/// executor->dispatch(executor, trampoline, slots, grid).
void emitDispatch(IRBuilder<> &b, Value *executor, Value *trampoline,
                  Value *slots, Value *grid) {
  PointerType *ptr = b.getPtrTy();
  auto *dispatchType = FunctionType::get(b.getVoidTy(),
                                         {ptr, ptr, ptr, b.getInt64Ty()},
                                         false);
  Value *dispatch = b.CreateLoad(
      ptr, b.CreateConstGEP1_64(b.getInt8Ty(), executor,
                                offsetof(strata_executor, dispatch)));
  b.CreateCall(dispatchType, dispatch, {executor, trampoline, slots, grid});
}

/// Calls trampoline(slots, w) for w in [0, grid) at the builder's point,
/// leaving the builder in a new block after the loop.
void emitInOrder(IRBuilder<> &b, Function &function, Value *trampoline,
                 Value *slots, Value *grid) {
  LLVMContext &ctx = function.getContext();
  Type *i64 = Type::getInt64Ty(ctx);
  PointerType *ptr = PointerType::getUnqual(ctx);
  auto *workgroupType =
      FunctionType::get(Type::getVoidTy(ctx), {ptr, i64}, false);
  BasicBlock *before = b.GetInsertBlock();
  BasicBlock *loop = BasicBlock::Create(ctx, "member_loop", &function);
  BasicBlock *after = BasicBlock::Create(ctx, "member_done", &function);
  b.CreateCondBr(b.CreateICmpSGT(grid, b.getInt64(0)), loop, after);
  b.SetInsertPoint(loop);
  PHINode *workgroup = b.CreatePHI(i64, 2);
  workgroup->addIncoming(b.getInt64(0), before);
  b.CreateCall(workgroupType, trampoline, {slots, workgroup});
  Value *next = b.CreateAdd(workgroup, b.getInt64(1));
  workgroup->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpSLT(next, grid), loop, after);
  b.SetInsertPoint(after);
}

/// The launch's body: slots on the stack, then executor->dispatch, or the
/// grid in order when the executor is null.
void defineLaunch(Function &launch, Function *trampoline) {
  LLVMContext &ctx = launch.getContext();
  launch.setLinkage(GlobalValue::InternalLinkage);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", &launch));
  Value *executor = launch.getArg(0), *grid = launch.getArg(1);
  SmallVector<Value *> captures;
  for (unsigned i = 2; i < launch.arg_size(); ++i)
    captures.push_back(launch.getArg(i));
  Value *slots = storeSlots(b, captures);
  BasicBlock *viaExecutor = BasicBlock::Create(ctx, "executor", &launch);
  BasicBlock *inOrder = BasicBlock::Create(ctx, "in_order", &launch);
  BasicBlock *done = BasicBlock::Create(ctx, "done", &launch);
  b.CreateCondBr(b.CreateIsNull(executor), inOrder, viaExecutor);

  b.SetInsertPoint(viaExecutor);
  emitDispatch(b, executor, trampoline, slots, grid);
  b.CreateBr(done);

  b.SetInsertPoint(inOrder);
  emitInOrder(b, launch, trampoline, slots, grid);
  b.CreateBr(done);

  b.SetInsertPoint(done);
  b.CreateRetVoid();
}

/// A group's body (kGroupPrefix in DispatchAbi.h): slots per member, then
/// the executor's dispatch_group when it has one, else its dispatch per
/// member, or every grid in order when the executor is null.
Error defineGroup(Function &group, ArrayRef<Function *> trampolines,
                  ArrayRef<unsigned> captures) {
  LLVMContext &ctx = group.getContext();
  Type *i64 = Type::getInt64Ty(ctx), *i32 = Type::getInt32Ty(ctx);
  PointerType *ptr = PointerType::getUnqual(ctx);
  unsigned expected = 1;
  for (unsigned count : captures)
    expected += 1 + count;
  if (group.arg_size() != expected)
    return createStringError("group '%s' takes %u arguments, its members "
                             "%u",
                             group.getName().str().c_str(), group.arg_size(),
                             expected);
  group.setLinkage(GlobalValue::InternalLinkage);
  unsigned count = trampolines.size();
  BasicBlock *entry = BasicBlock::Create(ctx, "entry", &group);
  IRBuilder<> b(entry);
  Value *executor = group.getArg(0);
  Value *fns = b.CreateAlloca(ArrayType::get(ptr, count));
  Value *bindings = b.CreateAlloca(ArrayType::get(ptr, count));
  Value *grids = b.CreateAlloca(ArrayType::get(i64, count));
  SmallVector<Value *> slots, gridValues;
  unsigned arg = 1;
  for (unsigned m = 0; m < count; ++m) {
    Value *grid = group.getArg(arg++);
    SmallVector<Value *> memberCaptures;
    for (unsigned c = 0; c < captures[m]; ++c)
      memberCaptures.push_back(group.getArg(arg++));
    Value *memberSlots = storeSlots(b, memberCaptures);
    b.CreateStore(trampolines[m], b.CreateConstGEP1_64(ptr, fns, m));
    b.CreateStore(memberSlots, b.CreateConstGEP1_64(ptr, bindings, m));
    b.CreateStore(grid, b.CreateConstGEP1_64(i64, grids, m));
    slots.push_back(memberSlots);
    gridValues.push_back(grid);
  }
  BasicBlock *inOrder = BasicBlock::Create(ctx, "in_order", &group);
  BasicBlock *viaExecutor = BasicBlock::Create(ctx, "executor", &group);
  BasicBlock *together = BasicBlock::Create(ctx, "together", &group);
  BasicBlock *oneByOne = BasicBlock::Create(ctx, "one_by_one", &group);
  BasicBlock *done = BasicBlock::Create(ctx, "done", &group);
  b.CreateCondBr(b.CreateIsNull(executor), inOrder, viaExecutor);

  // An executor of ABI 7 or later may have dispatch_group.
  b.SetInsertPoint(viaExecutor);
  uint64_t groupField = offsetof(strata_executor, dispatch_group);
  Value *size = b.CreateLoad(
      i64, b.CreateConstGEP1_64(b.getInt8Ty(), executor,
                                offsetof(strata_executor, struct_size)));
  BasicBlock *readField = BasicBlock::Create(ctx, "read_group", &group);
  b.CreateCondBr(b.CreateICmpUGE(size, b.getInt64(groupField + 8)), readField,
                 oneByOne);
  b.SetInsertPoint(readField);
  Value *dispatchGroup =
      b.CreateLoad(ptr, b.CreateConstGEP1_64(b.getInt8Ty(), executor,
                                             groupField));
  b.CreateCondBr(b.CreateIsNull(dispatchGroup), oneByOne, together);

  b.SetInsertPoint(together);
  auto *groupType = FunctionType::get(Type::getVoidTy(ctx),
                                      {ptr, i32, ptr, ptr, ptr}, false);
  b.CreateCall(groupType, dispatchGroup,
               {executor, b.getInt32(count), fns, bindings, grids});
  b.CreateBr(done);

  b.SetInsertPoint(oneByOne);
  for (unsigned m = 0; m < count; ++m)
    emitDispatch(b, executor, trampolines[m], slots[m], gridValues[m]);
  b.CreateBr(done);

  b.SetInsertPoint(inOrder);
  for (unsigned m = 0; m < count; ++m)
    emitInOrder(b, group, trampolines[m], slots[m], gridValues[m]);
  b.CreateBr(done);

  b.SetInsertPoint(done);
  b.CreateRetVoid();
  return Error::success();
}

} // namespace

/// strata_dispatch_info strata.dispatches[] = {{trampoline, name}, ...}.
void addDispatchTable(Module &module,
                      ArrayRef<std::pair<Function *, std::string>> entries) {
  LLVMContext &ctx = module.getContext();
  PointerType *ptr = PointerType::getUnqual(ctx);
  auto *info = StructType::get(ctx, {ptr, ptr});
  SmallVector<Constant *> rows;
  for (const auto &[trampoline, name] : entries) {
    Constant *text = ConstantDataArray::getString(ctx, name);
    auto *global = new GlobalVariable(module, text->getType(), true,
                                      GlobalValue::PrivateLinkage, text,
                                      "strata.dispatch_name");
    global->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    rows.push_back(ConstantStruct::get(info, {trampoline, global}));
  }
  auto *type = ArrayType::get(info, rows.size());
  new GlobalVariable(module, type, true, GlobalValue::InternalLinkage,
                     ConstantArray::get(type, rows), kDispatchTableSymbol);
}

Error addDispatchAbi(Module &module,
                     const std::map<std::string, std::string> &names) {
  SmallVector<std::pair<Function *, std::string>> table;
  const DataLayout &layout = module.getDataLayout();
  // A trampoline per dispatch body, launched alone or in a group.
  StringMap<Function *> trampolines;
  SmallVector<Function *> bodies, launches, groups;
  for (Function &function : module) {
    StringRef name = function.getName();
    if (!function.isDeclaration() && name.starts_with(kDispatchPrefix))
      bodies.push_back(&function);
    else if (function.isDeclaration() && name.starts_with(kLaunchPrefix))
      launches.push_back(&function);
    else if (function.isDeclaration() && name.starts_with(kGroupPrefix))
      groups.push_back(&function);
  }
  for (Function *body : bodies) {
    StringRef suffix = body->getName().drop_front(strlen(kDispatchPrefix));
    for (Argument &arg : body->args())
      if (layout.getTypeStoreSize(arg.getType()) > kSlotBytes)
        return createStringError("dispatch '%s': argument %u does not fit a "
                                 "slot",
                                 body->getName().str().c_str(),
                                 arg.getArgNo());
    body->setLinkage(GlobalValue::InternalLinkage);
    Function *trampoline = createTrampoline(module, body, suffix);
    trampolines[suffix] = trampoline;
    auto name = names.find(suffix.str());
    table.push_back({trampoline, name != names.end()
                                     ? name->second
                                     : ("dispatch " + suffix).str()});
  }
  for (Function *launch : launches) {
    StringRef suffix = launch->getName().drop_front(strlen(kLaunchPrefix));
    Function *body = module.getFunction((kDispatchPrefix + suffix).str());
    Function *trampoline = trampolines.lookup(suffix);
    if (!body || !trampoline || body->arg_size() + 1 != launch->arg_size())
      return createStringError("launch '%s' has no matching dispatch body",
                               launch->getName().str().c_str());
    defineLaunch(*launch, trampoline);
  }
  // strata.group.<f>.<k1>.<k2>...: members <f>.<k1>, <f>.<k2>, ...
  for (Function *group : groups) {
    StringRef rest = group->getName().drop_front(strlen(kGroupPrefix));
    auto [function, numbers] = rest.split('.');
    SmallVector<StringRef> members;
    numbers.split(members, '.');
    SmallVector<Function *> memberTrampolines;
    SmallVector<unsigned> captures;
    for (StringRef number : members) {
      std::string suffix = (function + "." + number).str();
      Function *body = module.getFunction(kDispatchPrefix + suffix);
      Function *trampoline = trampolines.lookup(suffix);
      if (!body || !trampoline)
        return createStringError("group '%s': no dispatch body '%s'",
                                 group->getName().str().c_str(),
                                 suffix.c_str());
      memberTrampolines.push_back(trampoline);
      captures.push_back(body->arg_size() - 1);
    }
    if (Error error = defineGroup(*group, memberTrampolines, captures))
      return error;
  }
  addDispatchTable(module, table);
  return Error::success();
}

} // namespace strata

//===- DispatchAbi.cpp - launches of dispatch functions in LLVM IR --------===//
#include "codegen/cpu/DispatchAbi.h"

#include "strata/model_abi.h"

#include "llvm/IR/IRBuilder.h"
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

/// The launch's body: slots on the stack, then executor->dispatch, or the
/// grid in order when the executor is null.
void defineLaunch(Function &launch, Function *trampoline) {
  LLVMContext &ctx = launch.getContext();
  Type *i64 = Type::getInt64Ty(ctx);
  PointerType *ptr = PointerType::getUnqual(ctx);
  launch.setLinkage(GlobalValue::InternalLinkage);
  BasicBlock *entry = BasicBlock::Create(ctx, "entry", &launch);
  BasicBlock *viaExecutor = BasicBlock::Create(ctx, "executor", &launch);
  BasicBlock *inOrder = BasicBlock::Create(ctx, "in_order", &launch);
  BasicBlock *loop = BasicBlock::Create(ctx, "loop", &launch);
  BasicBlock *done = BasicBlock::Create(ctx, "done", &launch);
  IRBuilder<> b(entry);
  Value *executor = launch.getArg(0), *grid = launch.getArg(1);
  unsigned numSlots = std::max<unsigned>(1, launch.arg_size() - 2);
  Value *slots = b.CreateAlloca(ArrayType::get(i64, numSlots));
  for (unsigned i = 2; i < launch.arg_size(); ++i)
    b.CreateStore(launch.getArg(i), b.CreateConstGEP1_64(i64, slots, i - 2));
  b.CreateCondBr(b.CreateIsNull(executor), inOrder, viaExecutor);

  b.SetInsertPoint(viaExecutor);
  auto *dispatchType = FunctionType::get(Type::getVoidTy(ctx),
                                         {ptr, ptr, ptr, i64}, false);
  Value *field = b.CreateConstGEP1_64(
      b.getInt8Ty(), executor, offsetof(strata_executor, dispatch));
  Value *dispatch = b.CreateLoad(ptr, field);
  b.CreateCall(dispatchType, dispatch, {executor, trampoline, slots, grid});
  b.CreateBr(done);

  b.SetInsertPoint(inOrder);
  b.CreateCondBr(b.CreateICmpSGT(grid, b.getInt64(0)), loop, done);
  b.SetInsertPoint(loop);
  PHINode *workgroup = b.CreatePHI(i64, 2);
  workgroup->addIncoming(b.getInt64(0), inOrder);
  b.CreateCall(trampoline, {slots, workgroup});
  Value *nextWorkgroup = b.CreateAdd(workgroup, b.getInt64(1));
  workgroup->addIncoming(nextWorkgroup, loop);
  b.CreateCondBr(b.CreateICmpSLT(nextWorkgroup, grid), loop, done);

  b.SetInsertPoint(done);
  b.CreateRetVoid();
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
  SmallVector<Function *> launches;
  for (Function &function : module)
    if (function.isDeclaration() && function.getName().starts_with(kLaunchPrefix))
      launches.push_back(&function);
  for (Function *launch : launches) {
    StringRef suffix = launch->getName().drop_front(strlen(kLaunchPrefix));
    Function *body = module.getFunction((kDispatchPrefix + suffix).str());
    if (!body || body->isDeclaration() ||
        body->arg_size() + 1 != launch->arg_size())
      return createStringError("launch '%s' has no matching dispatch body",
                               launch->getName().str().c_str());
    for (Argument &arg : launch->args())
      if (layout.getTypeStoreSize(arg.getType()) > kSlotBytes)
        return createStringError("launch '%s': argument %u does not fit a "
                                 "slot",
                                 launch->getName().str().c_str(),
                                 arg.getArgNo());
    body->setLinkage(GlobalValue::InternalLinkage);
    Function *trampoline = createTrampoline(module, body, suffix);
    defineLaunch(*launch, trampoline);
    auto name = names.find(suffix.str());
    table.push_back({trampoline, name != names.end()
                                     ? name->second
                                     : ("dispatch " + suffix).str()});
  }
  addDispatchTable(module, table);
  return Error::success();
}

} // namespace strata

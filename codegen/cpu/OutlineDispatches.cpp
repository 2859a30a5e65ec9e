//===- OutlineDispatches.cpp - scf.forall -> dispatch function + launch ---===//
//
// See Passes.td (strata-outline-dispatches). The ABI glue (the launch's
// body, the workgroup trampoline) is added in LLVM IR by DispatchAbi.cpp,
// which finds the pairs by the names built here.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/DispatchAbi.h"
#include "codegen/cpu/Passes.h"
#include "lib/support/NodeLocation.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_OUTLINEDISPATCHES
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// Types that cross the bare-pointer call of a launch unchanged: scalars,
/// and memrefs that become one pointer.
bool isCapturable(Type type) {
  if (isa<IndexType, IntegerType, FloatType>(type))
    return true;
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() &&
         memref.getLayout().isIdentity() && !memref.getMemorySpace();
}

/// What the body of a loop needs from outside: values passed as arguments
/// (`captures`) and side-effect-free ops cloned into the body (`clones`,
/// operands before users).
struct Closure {
  SetVector<Value> captures;
  SetVector<Operation *> clones;

  /// False when `value` can be neither passed nor rebuilt.
  bool add(Value value) {
    if (captures.contains(value))
      return true;
    Operation *def = value.getDefiningOp();
    if (def && clones.contains(def))
      return true;
    bool constant = def && matchPattern(def, m_Constant());
    if (!constant && isCapturable(value.getType())) {
      captures.insert(value);
      return true;
    }
    if (!def || def->getNumRegions() != 0 || !isMemoryEffectFree(def))
      return false;
    for (Value operand : def->getOperands())
      if (!add(operand))
        return false;
    clones.insert(def);
    return true;
  }
};

struct OutlineDispatchesPass
    : strata::impl::OutlineDispatchesBase<OutlineDispatchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal() && func.isPublic())
        entries.push_back(func);
    for (func::FuncOp func : entries) {
      auto pointer = LLVM::LLVMPointerType::get(&getContext());
      unsigned position = func.getNumArguments();
      if (failed(func.insertArgument(position, pointer, {}, func.getLoc()))) {
        func.emitError("cannot add the executor argument");
        return signalPassFailure();
      }
      Value executor = func.getArgument(position);
      SmallVector<scf::ForallOp> loops;
      func.walk<WalkOrder::PreOrder>([&](scf::ForallOp loop) {
        loops.push_back(loop);
        return WalkResult::skip(); // nested loops go with their parent
      });
      unsigned next = 0;
      for (scf::ForallOp loop : loops)
        if (outline(func, loop, executor, next))
          ++next;
    }
  }

  /// Replaces `loop` with a launch of a new dispatch function; false (and
  /// nothing changed) when it cannot.
  bool outline(func::FuncOp func, scf::ForallOp loop, Value executor,
               unsigned number) {
    std::optional<SmallVector<int64_t>>
        lower = getConstantIntValues(loop.getMixedLowerBound()),
        upper = getConstantIntValues(loop.getMixedUpperBound()),
        step = getConstantIntValues(loop.getMixedStep());
    if (!lower || !upper || !step || loop.getNumResults() != 0)
      return false;
    SmallVector<int64_t> counts;
    int64_t grid = 1;
    for (auto [lb, ub, st] : llvm::zip(*lower, *upper, *step)) {
      if (st <= 0)
        return false;
      counts.push_back(ub > lb ? llvm::divideCeil(ub - lb, st) : 0);
      grid *= counts.back();
    }
    SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    Closure closure;
    for (Value value : used)
      if (!closure.add(value))
        return false;

    // The dispatch: (workgroup, captures...) -> ().
    MLIRContext *context = &getContext();
    Location loc = loop.getLoc();
    std::string suffix =
        (func.getSymName() + "." + Twine(number)).str();
    SmallVector<Type> argTypes = {IndexType::get(context)};
    for (Value capture : closure.captures)
      argTypes.push_back(capture.getType());
    OpBuilder moduleBuilder(func);
    moduleBuilder.setInsertionPointAfter(func);
    auto dispatch = func::FuncOp::create(
        moduleBuilder, loc, strata::kDispatchPrefix + suffix,
        FunctionType::get(context, argTypes, {}));
    dispatch.setPrivate();
    Block *body = dispatch.addEntryBlock();
    OpBuilder builder = OpBuilder::atBlockBegin(body);
    IRMapping mapping;
    for (auto [capture, arg] :
         llvm::zip(closure.captures, body->getArguments().drop_front()))
      mapping.map(capture, arg);
    for (Operation *op : closure.clones)
      builder.clone(*op, mapping);
    // Induction variables from the workgroup number, row-major.
    Value remaining = body->getArgument(0);
    SmallVector<Value> ivs(counts.size());
    for (int d = counts.size() - 1; d >= 0; --d) {
      Value count = arith::ConstantIndexOp::create(builder, loc, counts[d]);
      Value index = d == 0 ? remaining
                           : arith::RemUIOp::create(builder, loc, remaining,
                                                    count)
                                 .getResult();
      if (d > 0)
        remaining = arith::DivUIOp::create(builder, loc, remaining, count);
      Value scaled = arith::MulIOp::create(
          builder, loc, index,
          arith::ConstantIndexOp::create(builder, loc, (*step)[d]));
      ivs[d] = arith::AddIOp::create(
          builder, loc, scaled,
          arith::ConstantIndexOp::create(builder, loc, (*lower)[d]));
    }
    for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
      mapping.map(iv, value);
    for (Operation &op : loop.getBody()->without_terminator())
      builder.clone(op, mapping);
    func::ReturnOp::create(builder, loc);

    // What it came from, for profiles: the ONNX node(s) of the loop, and
    // its number (one node may give several: a pad, the op, its bias).
    std::string name = strata::nodeNames(loc);
    name = name.empty() ? "dispatch " + suffix
                        : name + " #" + std::to_string(number);
    NamedAttrList names(
        getOperation()->getAttrOfType<DictionaryAttr>(strata::kDispatchNamesAttr));
    names.set(suffix, StringAttr::get(context, name));
    getOperation()->setAttr(strata::kDispatchNamesAttr,
                            names.getDictionary(context));

    // The launch, declared here and defined in LLVM IR.
    SmallVector<Type> launchTypes = {executor.getType(),
                                     IndexType::get(context)};
    llvm::append_range(launchTypes, llvm::drop_begin(argTypes));
    auto launch = func::FuncOp::create(
        moduleBuilder, loc, strata::kLaunchPrefix + suffix,
        FunctionType::get(context, launchTypes, {}));
    launch.setPrivate();
    OpBuilder callBuilder(loop);
    SmallVector<Value> operands = {
        executor, arith::ConstantIndexOp::create(callBuilder, loc, grid)};
    llvm::append_range(operands, closure.captures);
    func::CallOp::create(callBuilder, loc, launch, operands);
    loop.erase();
    return true;
  }
};

} // namespace

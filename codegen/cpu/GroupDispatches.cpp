//===- GroupDispatches.cpp - launch independent dispatches together -------===//
//
// See Passes.td (strata-group-dispatches). A dispatch writes a capture when
// its body stores into it or into a view of it; two launches conflict when
// one writes memory the other touches. Memory is told apart by where a
// capture comes from: a static view of the arena covers its bytes, a
// constant global is its own, and everything else of the caller (inputs,
// outputs, anything derived from them) counts as one region, since a caller
// may pass overlapping buffers.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/DispatchAbi.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"

#include <limits>

namespace strata {
#define GEN_PASS_DEF_GROUPDISPATCHES
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

using namespace mlir;

namespace {

constexpr int64_t kWhole = std::numeric_limits<int64_t>::max();

/// Whether the dispatch body may write through argument `arg` (a memref):
/// an op with a write effect on it or on a view of it, or a use that no
/// interface explains.
bool mayWrite(Value arg) {
  SmallVector<Value> work = {arg};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value value = work.pop_back_val();
    if (!seen.insert(value).second)
      continue;
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isMemoryEffectFree(user)) {
        // Views, casts, metadata: their memref results alias the operand.
        for (Value result : user->getResults())
          if (isa<BaseMemRefType>(result.getType()))
            work.push_back(result);
        continue;
      }
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (!effects)
        return true;
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffects(list);
      for (const MemoryEffects::EffectInstance &effect : list) {
        if (!isa<MemoryEffects::Write, MemoryEffects::Free>(
                effect.getEffect()))
          continue;
        Value target = effect.getValue();
        if (!target || target == value)
          return true;
      }
      // A view-like op with effects (rare) still aliases.
      if (isa<ViewLikeOpInterface>(user))
        for (Value result : user->getResults())
          work.push_back(result);
    }
  }
  return false;
}

/// The memory a capture may touch: a root and a byte range of it.
struct Extent {
  const void *root;
  int64_t begin = 0, end = kWhole;
  bool overlaps(const Extent &other) const {
    return root == other.root && begin < other.end && other.begin < end;
  }
};

struct Launch {
  func::CallOp call;
  SmallVector<Extent> reads, writes;
  bool conflictsWith(const Launch &other) const {
    for (const Extent &w : writes) {
      for (const Extent &e : other.reads)
        if (w.overlaps(e))
          return true;
      for (const Extent &e : other.writes)
        if (w.overlaps(e))
          return true;
    }
    for (const Extent &w : other.writes)
      for (const Extent &e : reads)
        if (w.overlaps(e))
          return true;
    return false;
  }
};

struct GroupDispatchesPass
    : strata::impl::GroupDispatchesBase<GroupDispatchesPass> {
  using GroupDispatchesBase::GroupDispatchesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal() && func.isPublic())
        entries.push_back(func);
    for (func::FuncOp entry : entries)
      groupIn(entry, symbols);
  }

  /// What `value`, a capture of a launch in `entry`, may touch. The arena
  /// is the entry's last argument but one (strata-plan-arena adds it, the
  /// executor comes after it); everything else of the caller (inputs,
  /// outputs) is one region, rooted at the entry itself.
  Extent extentOf(Value value, func::FuncOp entry) {
    Value arena = entry.getNumArguments() >= 2
                      ? entry.getArgument(entry.getNumArguments() - 2)
                      : Value();
    if (auto view = value.getDefiningOp<memref::ViewOp>()) {
      auto type = view.getType();
      std::optional<int64_t> shift =
          getConstantIntValue(view.getByteShift());
      if (view.getSource() == arena && shift && type.hasStaticShape() &&
          type.getElementType().isIntOrFloat()) {
        int64_t bytes = type.getNumElements() *
                        ((type.getElementTypeBitWidth() + 7) / 8);
        return {arena.getAsOpaquePointer(), *shift, *shift + bytes};
      }
    }
    if (auto global = value.getDefiningOp<memref::GetGlobalOp>())
      return {global.getNameAttr().getAsOpaquePointer()};
    if (value == arena)
      return {arena.getAsOpaquePointer()};
    // Reshapes, casts and subviews stay inside what they come from; any
    // other view (a reinterpret_cast may reach past its source) covers the
    // whole of its root.
    if (Operation *def = value.getDefiningOp()) {
      if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp,
              memref::SubViewOp, memref::CastOp>(def))
        return extentOf(def->getOperand(0), entry);
      if (isMemoryEffectFree(def) && def->getNumOperands() > 0 &&
          isa<BaseMemRefType>(def->getOperand(0).getType()))
        return {extentOf(def->getOperand(0), entry).root};
    }
    return {entry.getOperation()};
  }

  std::optional<Launch> analyze(func::CallOp call, func::FuncOp entry,
                                SymbolTable &symbols) {
    StringRef callee = call.getCallee();
    if (!callee.starts_with(strata::kLaunchPrefix))
      return std::nullopt;
    auto body = symbols.lookup<func::FuncOp>(
        (strata::kDispatchPrefix + callee.drop_front(strlen(
                                       strata::kLaunchPrefix)))
            .str());
    // Launch operands: executor, grid, captures; body: workgroup, captures.
    if (!body || body.isExternal() ||
        body.getNumArguments() + 1 != call.getNumOperands())
      return std::nullopt;
    Launch launch{call, {}, {}};
    for (unsigned i = 1; i < body.getNumArguments(); ++i) {
      Value operand = call.getOperand(i + 1);
      if (!isa<BaseMemRefType>(operand.getType()))
        continue;
      Extent extent = extentOf(operand, entry);
      (mayWrite(body.getArgument(i)) ? launch.writes : launch.reads)
          .push_back(extent);
    }
    return launch;
  }

  void groupIn(func::FuncOp entry, SymbolTable &symbols) {
    SmallVector<SmallVector<Launch>> groups;
    SmallVector<Launch> current;
    auto close = [&] {
      if (current.size() >= 2)
        groups.push_back(std::move(current));
      current.clear();
    };
    for (Operation &op : entry.getBody().front()) {
      auto call = dyn_cast<func::CallOp>(op);
      std::optional<Launch> launch =
          call ? analyze(call, entry, symbols) : std::nullopt;
      if (!launch) {
        // Views and constants between launches do not order them.
        if (!isMemoryEffectFree(&op))
          close();
        continue;
      }
      bool fits = current.size() < size_t(maxMembers) &&
                  llvm::none_of(current, [&](const Launch &member) {
                    return member.conflictsWith(*launch);
                  });
      if (!fits)
        close();
      current.push_back(std::move(*launch));
    }
    close();
    for (SmallVector<Launch> &group : groups)
      replaceWithGroup(entry, group, symbols);
  }

  /// One call of `strata.group.<f>.<k1>.<k2>...(executor, grid1, captures1
  /// ..., grid2, captures2 ...)` at the last member's place.
  void replaceWithGroup(func::FuncOp entry, MutableArrayRef<Launch> group,
                        SymbolTable &symbols) {
    std::string name = strata::kGroupPrefix + entry.getSymName().str();
    SmallVector<Value> operands = {group.front().call.getOperand(0)};
    for (Launch &member : group) {
      StringRef suffix =
          member.call.getCallee().drop_front(strlen(strata::kLaunchPrefix));
      name += suffix.drop_front(entry.getSymName().size()).str();
      llvm::append_range(operands, member.call.getOperands().drop_front());
    }
    ModuleOp module = getOperation();
    OpBuilder builder(module.getContext());
    builder.setInsertionPoint(entry);
    auto declaration = func::FuncOp::create(
        builder, entry.getLoc(), name,
        FunctionType::get(module.getContext(), ValueRange(operands).getTypes(),
                          {}));
    declaration.setPrivate();
    symbols.insert(declaration);
    builder.setInsertionPoint(group.back().call);
    func::CallOp::create(builder, group.back().call.getLoc(), declaration,
                         operands);
    for (Launch &member : group) {
      auto launch = symbols.lookup<func::FuncOp>(member.call.getCallee());
      member.call.erase();
      // The declaration goes once nothing calls it (addDispatchAbi makes
      // the trampoline from the body).
      if (launch && SymbolTable::symbolKnownUseEmpty(launch, module))
        symbols.erase(launch);
    }
  }
};

} // namespace

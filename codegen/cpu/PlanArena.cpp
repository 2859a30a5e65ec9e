//===- PlanArena.cpp - static buffers at planned offsets of one arena -----===//
//
// See Passes.td (strata-plan-arena) for why. The plan is interval
// colouring on the top-level ops of the function: a buffer is live from the
// first to the last top-level op that touches it (an op with regions covers
// every use inside it), and two buffers may share bytes when their ranges
// are disjoint.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_PLANARENA
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

constexpr int64_t kAlignment = 64;

int64_t aligned(int64_t bytes) {
  return static_cast<int64_t>(llvm::alignTo(bytes, kAlignment));
}

/// One planned buffer: its allocation, size, live range (indices of
/// top-level ops, inclusive) and the offset it gets.
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  unsigned start = 0, end = 0;
  int64_t offset = -1;
  SmallVector<Operation *> deallocs;

  bool overlaps(const Buffer &other) const {
    return start <= other.end && other.start <= end;
  }
};

/// The bytes of `type` when the arena can hold it: a static shape, the
/// identity layout, the default memory space and an element type of
/// whole bytes.
std::optional<int64_t> plannableBytes(MemRefType type,
                                      const DataLayout &layout) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace())
    return std::nullopt;
  Type element = type.getElementType();
  if (!isa<IntegerType, FloatType, IndexType>(element))
    return std::nullopt;
  int64_t elementBytes =
      llvm::divideCeil(layout.getTypeSizeInBits(element), 8);
  int64_t bytes = elementBytes;
  for (int64_t dim : type.getShape())
    if (__builtin_mul_overflow(bytes, dim, &bytes))
      return std::nullopt;
  return bytes;
}

/// Computes the live range of `buffer.alloc`, following every alias: the
/// memref results of any op that takes the buffer (views, casts, ops with
/// regions), and the results of the op whose region yields it. A buffer
/// that leaves the function (returned or passed to a call) stays live to
/// the end.
void computeLiveRange(Buffer &buffer, Block &body,
                      const DenseMap<Operation *, unsigned> &index) {
  unsigned last = body.empty() ? 0 : index.lookup(&body.back());
  bool first = true;
  auto touch = [&](Operation *op) {
    Operation *top = body.findAncestorOpInBlock(*op);
    unsigned at = top ? index.lookup(top) : last;
    buffer.start = first ? at : std::min(buffer.start, at);
    buffer.end = first ? at : std::max(buffer.end, at);
    first = false;
  };
  SetVector<Value> aliases;
  aliases.insert(buffer.alloc.getResult());
  for (unsigned i = 0; i < aliases.size(); ++i) {
    for (OpOperand &use : aliases[i].getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::DeallocOp>(user)) {
        buffer.deallocs.push_back(user);
        continue;
      }
      touch(user);
      if (isa<CallOpInterface>(user) ||
          (user->hasTrait<OpTrait::ReturnLike>() &&
           user->getParentOp() == body.getParentOp())) {
        buffer.end = last;
        continue;
      }
      for (Value result : user->getResults())
        if (isa<BaseMemRefType>(result.getType()))
          aliases.insert(result);
      if (user->hasTrait<OpTrait::IsTerminator>())
        if (Operation *parent = user->getParentOp();
            parent && parent != body.getParentOp())
          for (Value result : parent->getResults())
            if (isa<BaseMemRefType>(result.getType()))
              aliases.insert(result);
    }
  }
  if (first) // never used: give it the alloc's own position
    buffer.start = buffer.end = index.lookup(buffer.alloc);
}

/// First fit, largest buffer first: each buffer takes the lowest aligned
/// offset that clears every placed buffer live at the same time. Returns
/// the arena's size.
int64_t assignOffsets(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  // Ties in program order, so that the plan is deterministic.
  llvm::sort(order, [](const Buffer *a, const Buffer *b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->start < b->start;
  });
  int64_t size = 0;
  SmallVector<Buffer *> placed;
  for (Buffer *buffer : order) {
    SmallVector<Buffer *> live;
    for (Buffer *other : placed)
      if (other->overlaps(*buffer))
        live.push_back(other);
    llvm::sort(live, [](const Buffer *a, const Buffer *b) {
      return a->offset < b->offset;
    });
    int64_t offset = 0;
    for (Buffer *other : live) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset = std::max(offset, aligned(other->offset + other->bytes));
    }
    buffer->offset = offset;
    size = std::max(size, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return aligned(size);
}

/// The largest total of (aligned) buffer sizes live at one top-level op.
int64_t lowerBound(ArrayRef<Buffer> buffers, unsigned numOps) {
  SmallVector<int64_t> live(numOps + 1, 0);
  for (const Buffer &buffer : buffers) {
    live[buffer.start] += aligned(buffer.bytes);
    live[buffer.end + 1] -= aligned(buffer.bytes);
  }
  int64_t total = 0, best = 0;
  for (int64_t delta : live)
    best = std::max(best, total += delta);
  return best;
}

struct PlanArenaPass : strata::impl::PlanArenaBase<PlanArenaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t arenaBytes = 0, bound = 0;
    Builder b(module.getContext());
    NamedAttrList perEntry;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic())
        continue;
      auto [bytes, funcBound] = plan(func);
      arenaBytes = std::max(arenaBytes, bytes);
      bound = std::max(bound, funcBound);
      perEntry.set(func.getSymName(), b.getI64ArrayAttr({bytes, funcBound}));
    }
    // The largest over the entries, and each entry's own [bytes, bound]
    // (a model with a batch-chunk program has two entries).
    module->setAttr("strata.arena_bytes", b.getI64IntegerAttr(arenaBytes));
    module->setAttr("strata.arena_lower_bound", b.getI64IntegerAttr(bound));
    module->setAttr("strata.arena_per_entry",
                    perEntry.getDictionary(module.getContext()));
  }

  std::pair<int64_t, int64_t> plan(func::FuncOp func) {
    Block &body = func.getBody().front();
    DenseMap<Operation *, unsigned> index;
    for (Operation &op : body)
      index[&op] = index.size();
    DataLayout layout = DataLayout::closest(func);
    SmallVector<Buffer> buffers;
    for (auto alloc : body.getOps<memref::AllocOp>()) {
      std::optional<int64_t> bytes = plannableBytes(alloc.getType(), layout);
      if (!bytes)
        continue;
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.bytes = *bytes;
      computeLiveRange(buffer, body, index);
      buffers.push_back(std::move(buffer));
    }
    int64_t size = assignOffsets(buffers);
    int64_t bound = lowerBound(buffers, index.size());

    // The arena: the last argument, whatever the plan, so that every
    // compiled entry has the same signature.
    auto arenaType = MemRefType::get({size}, IntegerType::get(&getContext(), 8));
    unsigned position = func.getNumArguments();
    if (failed(func.insertArgument(position, arenaType, {}, func.getLoc()))) {
      func.emitError("cannot add the arena argument");
      signalPassFailure();
      return {0, 0};
    }
    Value arena = func.getArgument(position);
    for (Buffer &buffer : buffers) {
      OpBuilder builder(buffer.alloc);
      Location loc = buffer.alloc.getLoc();
      Value offset =
          arith::ConstantIndexOp::create(builder, loc, buffer.offset);
      Value view = memref::ViewOp::create(builder, loc, buffer.alloc.getType(),
                                          arena, offset, ValueRange{});
      buffer.alloc.getResult().replaceAllUsesWith(view);
      for (Operation *dealloc : buffer.deallocs)
        dealloc->erase();
      buffer.alloc.erase();
    }
    return {size, bound};
  }
};

} // namespace

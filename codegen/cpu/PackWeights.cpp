//===- PackWeights.cpp - large constant globals into one weights pack -----===//
//
// See Passes.td (strata-pack-weights). The pack itself is written by
// codegen/cpu/WeightsPack.h from the `strata.weights` module attribute.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/WeightsPack.h"
#include "lib/support/ConstantData.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_PACKWEIGHTS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// How the module refers to its globals: the `llvm.mlir.addressof` ops
/// inside functions, by global, and the globals referred to any other way
/// (a symbol in another global's initializer, say), which stay put.
struct GlobalUses {
  llvm::DenseMap<StringAttr, SmallVector<LLVM::AddressOfOp>> addressOf;
  llvm::DenseSet<StringAttr> other;

  explicit GlobalUses(ModuleOp module) {
    module.walk([&](Operation *op) {
      auto address = dyn_cast<LLVM::AddressOfOp>(op);
      bool inFunction = address && op->getParentOfType<LLVM::LLVMFuncOp>();
      // The op's own attributes only (getSymbolUses would add nested ops').
      for (NamedAttribute attr : op->getAttrs())
        attr.getValue().walk([&](SymbolRefAttr ref) {
          StringAttr name = ref.getRootReference();
          if (inFunction)
            addressOf[name].push_back(address);
          else
            other.insert(name);
        });
    });
  }
};

/// A constant global's data when it may join the pack: at least `minBytes`
/// of whole-byte elements matching the global's size, used only by
/// `llvm.mlir.addressof` inside functions.
std::optional<ArrayRef<char>> packableData(LLVM::GlobalOp global,
                                           const GlobalUses &uses,
                                           int64_t minBytes) {
  if (!global.getConstant() || uses.other.contains(global.getSymNameAttr()))
    return std::nullopt;
  auto elements = dyn_cast_or_null<ElementsAttr>(global.getValueOrNull());
  if (!elements)
    return std::nullopt;
  std::optional<ArrayRef<char>> data = strata::rawConstantData(elements);
  if (!data || static_cast<int64_t>(data->size()) < minBytes)
    return std::nullopt;
  DataLayout layout = DataLayout::closest(global);
  if (layout.getTypeSize(global.getGlobalType()) != data->size())
    return std::nullopt;
  return data;
}

struct PackWeightsPass : strata::impl::PackWeightsBase<PackWeightsPass> {
  using PackWeightsBase::PackWeightsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    if (SymbolTable::lookupSymbolIn(module, symbol)) {
      module.emitError() << "strata-pack-weights: symbol '" << symbol
                         << "' already exists";
      return signalPassFailure();
    }

    // Offsets in the order the globals appear, each aligned to at least a
    // cache line (the kernels' vector loads assume 64).
    struct Member {
      LLVM::GlobalOp global;
      int64_t offset;
    };
    SmallVector<Member> members;
    SmallVector<Attribute> segments;
    int64_t bytes = 0;
    GlobalUses uses(module);
    // Globals of equal content share one segment: a model with a
    // batch-chunk program holds every weight twice until here.
    llvm::DenseMap<llvm::hash_code, SmallVector<std::pair<ArrayRef<char>,
                                                          int64_t>>>
        placed;
    for (auto global : module.getOps<LLVM::GlobalOp>()) {
      std::optional<ArrayRef<char>> data =
          packableData(global, uses, minBytes);
      if (!data)
        continue;
      uint64_t align = std::max<uint64_t>(global.getAlignment().value_or(1),
                                          strata::kWeightsAlignment);
      auto &sameHash = placed[llvm::hash_value(
          StringRef(data->data(), data->size()))];
      auto equal = llvm::find_if(sameHash, [&](const auto &entry) {
        return entry.first == *data && entry.second % align == 0;
      });
      if (equal != sameHash.end()) {
        members.push_back({global, equal->second});
        continue;
      }
      bytes = llvm::alignTo(bytes, align);
      sameHash.push_back({*data, bytes});
      members.push_back({global, bytes});
      segments.push_back(ArrayAttr::get(
          context, {IntegerAttr::get(IntegerType::get(context, 64), bytes),
                    global.getValueOrNull()}));
      bytes += data->size();
    }
    if (members.empty())
      return;

    OpBuilder builder(context);
    builder.setInsertionPointToStart(module.getBody());
    Location loc = module.getLoc();
    auto ptrType = LLVM::LLVMPointerType::get(context);
    auto i8 = IntegerType::get(context, 8);
    LLVM::GlobalOp base;
    if (external) {
      // A private pointer, null until the runtime stores the mapping's
      // address; the descriptor hands its address to the runtime.
      base = LLVM::GlobalOp::create(builder, loc, ptrType, /*isConstant=*/false,
                                    LLVM::Linkage::Internal, symbol,
                                    Attribute(), /*alignment=*/8);
      Block *init = builder.createBlock(&base.getInitializerRegion());
      builder.setInsertionPointToStart(init);
      Value null = LLVM::ZeroOp::create(builder, loc, ptrType);
      LLVM::ReturnOp::create(builder, loc, null);
    } else {
      // Defined by the weights object; hidden, so references stay
      // PC-relative and the symbol is not exported from the .so.
      base = LLVM::GlobalOp::create(
          builder, loc, LLVM::LLVMArrayType::get(i8, bytes),
          /*isConstant=*/true, LLVM::Linkage::External, symbol, Attribute(),
          strata::kWeightsAlignment);
      base.setVisibility_(LLVM::Visibility::Hidden);
    }

    // The base address where it is needed: the pointer loaded once at each
    // function's entry, or the symbol's address next to the use.
    llvm::DenseMap<Operation *, Value> loadedBase;
    auto baseFor = [&](LLVM::AddressOfOp use) -> Value {
      if (!external) {
        builder.setInsertionPoint(use);
        return LLVM::AddressOfOp::create(builder, use.getLoc(), ptrType,
                                         symbol);
      }
      auto func = use->getParentOfType<LLVM::LLVMFuncOp>();
      Value &value = loadedBase[func];
      if (!value) {
        builder.setInsertionPointToStart(&func.getBody().front());
        Value slot =
            LLVM::AddressOfOp::create(builder, func.getLoc(), ptrType, symbol);
        value = LLVM::LoadOp::create(builder, func.getLoc(), ptrType, slot,
                                     /*alignment=*/8);
      }
      return value;
    };
    for (Member &member : members) {
      for (LLVM::AddressOfOp addressOf :
           uses.addressOf.lookup(member.global.getSymNameAttr())) {
        Value pointer = baseFor(addressOf);
        builder.setInsertionPoint(addressOf);
        Value address = pointer;
        if (member.offset != 0) {
          // As an i64 value: a GEP's static indices hold 29 bits only
          // (LLVM::kGEPConstantBitWidth), and packs pass 256 MB.
          Value offset = LLVM::ConstantOp::create(
              builder, addressOf.getLoc(), builder.getI64Type(),
              builder.getI64IntegerAttr(member.offset));
          address = LLVM::GEPOp::create(builder, addressOf.getLoc(), ptrType,
                                        i8, pointer,
                                        ArrayRef<LLVM::GEPArg>{offset},
                                        LLVM::GEPNoWrapFlags::inbounds);
        }
        addressOf.replaceAllUsesWith(address);
        addressOf.erase();
      }
      member.global.erase();
    }
    module->setAttr(
        strata::kWeightsAttr,
        DictionaryAttr::get(
            context,
            {NamedAttribute(StringAttr::get(context, "bytes"),
                            IntegerAttr::get(IntegerType::get(context, 64),
                                             bytes)),
             NamedAttribute(StringAttr::get(context, "segments"),
                            ArrayAttr::get(context, segments))}));
  }
};

} // namespace

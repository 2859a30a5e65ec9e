//===- ImporterTest.cpp - the ONNX importer (lib/frontend/onnx) -----------===//
//
// Models are built with the protobuf API, written to a temporary folder and
// imported; tests check the IR (printed or walked) or the diagnostics.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphOps.h"
#include "lib/frontend/onnx/OnnxImporter.h"
#include "lib/support/NodeLocation.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <vector>

using namespace mlir;

namespace {

using onnx::TensorProto;

class ImporterTest : public ::testing::Test {
protected:
  void SetUp() override {
    SmallString<128> dir;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("strata-importer", dir));
    tempDir = std::string(dir);
    context.getDiagEngine().registerHandler([this](Diagnostic &diag) {
      errors.push_back(strata::describeLocation(diag.getLocation()) + ": " +
                       diag.str());
    });
    model.set_ir_version(8);
    setOpset(17);
  }
  void TearDown() override { llvm::sys::fs::remove_directories(tempDir); }

  void setOpset(int64_t version) {
    model.clear_opset_import();
    auto *opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(version);
  }
  std::string path(llvm::StringRef name) const {
    SmallString<128> p(tempDir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  onnx::GraphProto &graph() { return *model.mutable_graph(); }

  void addInput(const std::string &name, std::vector<int64_t> dims,
                int elemType = TensorProto::FLOAT) {
    auto *input = graph().add_input();
    input->set_name(name);
    auto *tensor = input->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elemType);
    auto *shape = tensor->mutable_shape();
    for (int64_t d : dims) {
      if (d < 0)
        shape->add_dim()->set_dim_param("batch");
      else
        shape->add_dim()->set_dim_value(d);
    }
  }
  void addOutput(const std::string &name) {
    graph().add_output()->set_name(name);
  }
  onnx::NodeProto &addNode(const std::string &opType,
                           std::vector<std::string> inputs,
                           std::vector<std::string> outputs,
                           const std::string &name = "") {
    auto *node = graph().add_node();
    node->set_op_type(opType);
    node->set_name(name);
    for (auto &in : inputs)
      node->add_input(in);
    for (auto &out : outputs)
      node->add_output(out);
    return *node;
  }
  static void addInts(onnx::NodeProto &node, const std::string &name,
                      std::vector<int64_t> values) {
    auto *attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values)
      attr->add_ints(v);
  }
  static void addInt(onnx::NodeProto &node, const std::string &name,
                     int64_t value) {
    auto *attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::INT);
    attr->set_i(value);
  }
  static void addString(onnx::NodeProto &node, const std::string &name,
                        const std::string &value) {
    auto *attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::STRING);
    attr->set_s(value);
  }
  TensorProto &addInitializer(const std::string &name,
                              std::vector<int64_t> dims,
                              int dataType = TensorProto::FLOAT) {
    TensorProto *t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(dataType);
    for (int64_t d : dims)
      t->add_dims(d);
    return *t;
  }
  /// A float initializer 0, 1, 2, ... stored as raw_data.
  TensorProto &addRawFloats(const std::string &name,
                            std::vector<int64_t> dims) {
    TensorProto &t = addInitializer(name, dims);
    int64_t n = 1;
    for (int64_t d : dims)
      n *= d;
    std::vector<float> values(n);
    for (int64_t i = 0; i < n; ++i)
      values[i] = static_cast<float>(i);
    t.set_raw_data(std::string(reinterpret_cast<char *>(values.data()),
                               values.size() * sizeof(float)));
    return t;
  }

  std::string save(const std::string &name = "model.onnx") {
    std::string file = path(name);
    std::ofstream out(file, std::ios::binary);
    EXPECT_TRUE(model.SerializeToOstream(&out));
    return file;
  }
  OwningOpRef<ModuleOp> import(const std::string &file) {
    errors.clear();
    OwningOpRef<ModuleOp> module = strata::importOnnxModel(context, file);
    if (module)
      EXPECT_TRUE(succeeded(verify(*module)));
    return module;
  }
  OwningOpRef<ModuleOp> importModel() { return import(save()); }
  static std::string print(ModuleOp module) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module.print(os);
    return text;
  }
  std::string allErrors() const {
    std::string text;
    for (const std::string &e : errors)
      text += e + "\n";
    return text;
  }
  static bool contains(const std::string &haystack, const std::string &needle) {
    return haystack.find(needle) != std::string::npos;
  }
  template <typename OpTy> static SmallVector<OpTy> collect(ModuleOp module) {
    SmallVector<OpTy> ops;
    module.walk([&](OpTy op) { ops.push_back(op); });
    return ops;
  }

  MLIRContext context;
  onnx::ModelProto model;
  std::string tempDir;
  std::vector<std::string> errors;
};

TEST_F(ImporterTest, ImportsSmallGraphWithNamesAndLocations) {
  addInput("x", {-1, 4});
  addRawFloats("w", {4, 3});
  addNode("MatMul", {"x", "w"}, {"h"}, "fc");
  addNode("Relu", {"h"}, {"y"}, "act");
  addOutput("y");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  auto func = *module->getOps<func::FuncOp>().begin();
  EXPECT_EQ(func.getName(), "main");
  ASSERT_EQ(func.getNumArguments(), 1u);
  EXPECT_EQ(func.getArgAttrOfType<StringAttr>(0, "graph.name").getValue(), "x");
  EXPECT_EQ(func.getResultAttrOfType<StringAttr>(0, "graph.name").getValue(),
            "y");
  EXPECT_EQ(func.getArgumentTypes()[0],
            RankedTensorType::get({ShapedType::kDynamic, 4},
                                  Float32Type::get(&context)));
  auto relus = collect<strata::graph::ReluOp>(*module);
  ASSERT_EQ(relus.size(), 1u);
  EXPECT_EQ(strata::describeLocation(relus[0].getLoc()),
            "node 'act' (Relu, opset 17)");
  EXPECT_TRUE(contains(print(*module),
                       "graph.matmul %arg0, %0 : (tensor<?x4xf32>, "
                       "tensor<4x3xf32>) -> tensor<?x3xf32>"));
}

TEST_F(ImporterTest, InitializerListedAsInputIsAConstant) {
  addInput("x", {2, 3});
  addInput("w", {2, 3}); // old exporters list initializers as inputs
  addRawFloats("w", {2, 3});
  addNode("Add", {"x", "w"}, {"y"}, "add");
  addOutput("y");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  auto func = *module->getOps<func::FuncOp>().begin();
  EXPECT_EQ(func.getNumArguments(), 1u);
  EXPECT_EQ(collect<strata::graph::ConstantOp>(*module).size(), 1u);
}

TEST_F(ImporterTest, TruncatedFileIsRejected) {
  addInput("x", {256});
  addRawFloats("w", {256});
  addNode("Add", {"x", "w"}, {"y"});
  addOutput("y");
  std::string bytes = model.SerializeAsString();
  std::string file = path("truncated.onnx");
  std::ofstream(file, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_FALSE(import(file));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(contains(errors[0], "'" + file +
                                      "' is not a valid ONNX model "
                                      "(protobuf parse failed)"))
      << errors[0];
}

TEST_F(ImporterTest, NonOnnxFileIsRejected) {
  std::string file = path("notes.txt");
  std::ofstream(file) << "this is not an ONNX model\n";
  EXPECT_FALSE(import(file));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(contains(errors[0], "is not a valid ONNX model")) << errors[0];
}

TEST_F(ImporterTest, MissingFileIsReported) {
  EXPECT_FALSE(import(path("absent.onnx")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(contains(errors[0], "cannot open '" + path("absent.onnx") + "'"))
      << errors[0];
}

TEST_F(ImporterTest, MissingDefaultOpsetIsReported) {
  model.clear_opset_import();
  addInput("x", {2});
  addNode("Relu", {"x"}, {"y"});
  addOutput("y");
  EXPECT_FALSE(importModel());
  EXPECT_TRUE(contains(allErrors(), "no opset_import for the default ONNX "
                                    "domain"))
      << allErrors();
}

TEST_F(ImporterTest, UnsupportedOpsAreListedInOneError) {
  addInput("x", {4});
  addNode("Relu", {"x"}, {"r"}, "fine");
  addNode("Det", {"r"}, {"v"}, "det");
  onnx::NodeProto &custom = addNode("Frob", {"v"}, {"y"}, "frob");
  custom.set_domain("com.example");
  auto *opset = model.add_opset_import();
  opset->set_domain("com.example");
  opset->set_version(3);
  addOutput("y");
  EXPECT_FALSE(importModel());
  ASSERT_EQ(errors.size(), 1u) << allErrors();
  EXPECT_TRUE(contains(errors[0], "uses 2 unsupported operators")) << errors[0];
  EXPECT_TRUE(contains(errors[0], "node 'det' (Det, opset 17)")) << errors[0];
  EXPECT_TRUE(
      contains(errors[0], "node 'frob' (Frob, domain 'com.example', opset 3)"))
      << errors[0];
  EXPECT_FALSE(contains(errors[0], "fine"));
}

TEST_F(ImporterTest, InvalidTransposePermNamesTheNode) {
  addInput("x", {2, 3});
  addInts(addNode("Transpose", {"x"}, {"y"}, "t1"), "perm", {0, 0});
  addOutput("y");
  EXPECT_FALSE(importModel());
  ASSERT_EQ(errors.size(), 1u) << allErrors();
  EXPECT_EQ(errors[0], "node 't1' (Transpose, opset 17): perm [0,0] is not a "
                       "permutation of 2 dimensions");
}

TEST_F(ImporterTest, ReshapeShapeMustBeConstant) {
  addInput("x", {2, 3});
  addInput("s", {2}, TensorProto::INT64);
  addNode("Reshape", {"x", "s"}, {"y"}, "r1");
  addOutput("y");
  EXPECT_FALSE(importModel());
  ASSERT_EQ(errors.size(), 1u) << allErrors();
  EXPECT_TRUE(contains(errors[0], "node 'r1' (Reshape, opset 17): input "
                                  "'shape' must be a constant"))
      << errors[0];
}

TEST_F(ImporterTest, IndependentErrorsAreAllReported) {
  addInput("x", {2, 3});
  addInput("s", {2}, TensorProto::INT64);
  addInts(addNode("Transpose", {"x"}, {"t"}, "bad_perm"), "perm", {1, 2});
  addNode("Relu", {"t"}, {"t2"}, "reads_failed"); // skipped silently
  addNode("Reshape", {"x", "s"}, {"r"}, "bad_shape");
  addNode("Add", {"t2", "r"}, {"y"}, "sum");
  addNode("Relu", {"nowhere"}, {"z"}, "undefined_input");
  addOutput("y");
  addOutput("z");
  EXPECT_FALSE(importModel());
  ASSERT_EQ(errors.size(), 3u) << allErrors();
  EXPECT_TRUE(contains(errors[0], "node 'bad_perm'"));
  EXPECT_TRUE(contains(errors[1], "node 'bad_shape'"));
  EXPECT_TRUE(contains(errors[2], "node 'undefined_input' (Relu, opset 17): "
                                  "input 'nowhere' is not defined"));
}

TEST_F(ImporterTest, ReshapeResolvesZeroAndMinusOne) {
  addInput("x", {2, 3, 4});
  TensorProto &shape = addInitializer("shape", {2}, TensorProto::INT64);
  shape.add_int64_data(0);
  shape.add_int64_data(-1);
  addNode("Reshape", {"x", "shape"}, {"y"}, "r");
  addOutput("y");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  auto reshapes = collect<strata::graph::ReshapeOp>(*module);
  ASSERT_EQ(reshapes.size(), 1u);
  EXPECT_EQ(reshapes[0].getShape(), ArrayRef<int64_t>({2, 12}));
  // The shape initializer is read at import time, not materialized.
  EXPECT_TRUE(collect<strata::graph::ConstantOp>(*module).empty());
}

TEST_F(ImporterTest, ReshapeAllowZeroKeepsZero) {
  addInput("x", {0, 3});
  TensorProto &shape = addInitializer("shape", {2}, TensorProto::INT64);
  shape.add_int64_data(3);
  shape.add_int64_data(0);
  addInt(addNode("Reshape", {"x", "shape"}, {"y"}, "r"), "allowzero", 1);
  addOutput("y");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  EXPECT_EQ(collect<strata::graph::ReshapeOp>(*module)[0].getShape(),
            ArrayRef<int64_t>({3, 0}));
}

TEST_F(ImporterTest, LegacyReshapeUsesShapeAttribute) {
  setOpset(4);
  addInput("x", {2, 3, 4});
  addInts(addNode("Reshape", {"x"}, {"y"}, "r"), "shape", {-1, 4});
  addOutput("y");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  EXPECT_EQ(collect<strata::graph::ReshapeOp>(*module)[0].getShape(),
            ArrayRef<int64_t>({6, 4}));
}

TEST_F(ImporterTest, LegacyBroadcastMustMatchNumpy) {
  setOpset(6);
  addInput("x", {2, 3, 4});
  addRawFloats("b", {3});
  onnx::NodeProto &add = addNode("Add", {"x", "b"}, {"y"}, "add");
  addInt(add, "broadcast", 1);
  addInt(add, "axis", 1); // aligns b with dim 1; numpy would use dim 2
  addOutput("y");
  EXPECT_FALSE(importModel());
  ASSERT_EQ(errors.size(), 1u) << allErrors();
  EXPECT_TRUE(contains(errors[0], "node 'add' (Add, opset 6): legacy "
                                  "broadcasting"))
      << errors[0];
}

TEST_F(ImporterTest, ConvSameLowerPadsAndOptionalKernelShape) {
  addInput("x", {1, 2, 5, 5});
  addRawFloats("w", {4, 2, 2, 2});
  onnx::NodeProto &conv = addNode("Conv", {"x", "w"}, {"y"}, "conv");
  addString(conv, "auto_pad", "SAME_LOWER");
  addOutput("y");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  auto convs = collect<strata::graph::ConvOp>(*module);
  ASSERT_EQ(convs.size(), 1u);
  EXPECT_EQ(convs[0].getPads(), ArrayRef<int64_t>({1, 1, 0, 0}));
  EXPECT_EQ(cast<RankedTensorType>(convs[0].getType()).getShape(),
            ArrayRef<int64_t>({1, 4, 5, 5}));
}

TEST_F(ImporterTest, LargeRawDataBecomesAResourceWithoutCopy) {
  addInput("x", {512});
  addRawFloats("w", {512}); // 2048 bytes
  addNode("Add", {"x", "w"}, {"y"});
  addOutput("y");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  auto constants = collect<strata::graph::ConstantOp>(*module);
  ASSERT_EQ(constants.size(), 1u);
  auto resource = dyn_cast<DenseResourceElementsAttr>(constants[0].getValue());
  ASSERT_TRUE(resource);
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  ASSERT_TRUE(blob);
  ArrayRef<float> values = blob->getDataAs<float>();
  ASSERT_EQ(values.size(), 512u);
  EXPECT_EQ(values[0], 0.0f);
  EXPECT_EQ(values[511], 511.0f);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(values.data()) % alignof(float), 0u);
}

TEST_F(ImporterTest, TypedFieldsAndNarrowTypes) {
  addInput("x", {1});
  TensorProto &half = addInitializer("half", {2}, TensorProto::FLOAT16);
  half.add_int32_data(0x3C00); // 1.0
  half.add_int32_data(0xC000); // -2.0
  TensorProto &i8 = addInitializer("i8", {2}, TensorProto::INT8);
  i8.add_int32_data(-5);
  i8.add_int32_data(7);
  TensorProto &u8 = addInitializer("u8", {1}, TensorProto::UINT8);
  u8.add_int32_data(200);
  TensorProto &flags = addInitializer("flags", {3}, TensorProto::BOOL);
  flags.set_raw_data(std::string("\x01\x00\x01", 3));
  for (const char *name : {"half", "i8", "u8", "flags"}) {
    addNode("Identity", {name}, {std::string(name) + "_out"});
    addOutput(std::string(name) + "_out");
  }
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  std::string ir = print(*module);
  EXPECT_TRUE(contains(ir, "dense<[1.000000e+00, -2.000000e+00]> : "
                           "tensor<2xf16>"))
      << ir;
  EXPECT_TRUE(contains(ir, "dense<[-5, 7]> : tensor<2xi8>")) << ir;
  EXPECT_TRUE(contains(ir, "dense<200> : tensor<1xui8>")) << ir;
  EXPECT_TRUE(contains(ir, "dense<[true, false, true]> : tensor<3xi1>")) << ir;
}

TEST_F(ImporterTest, TypedFieldsOfWideAndUnsignedTypes) {
  addInput("x", {1});
  TensorProto &f64 = addInitializer("f64", {2}, TensorProto::DOUBLE);
  f64.add_double_data(0.5);
  f64.add_double_data(-3);
  TensorProto &i16 = addInitializer("i16", {2}, TensorProto::INT16);
  i16.add_int32_data(-300);
  i16.add_int32_data(7);
  TensorProto &u16 = addInitializer("u16", {1}, TensorProto::UINT16);
  u16.add_int32_data(65535);
  TensorProto &u32 = addInitializer("u32", {1}, TensorProto::UINT32);
  u32.add_uint64_data(4000000000u);
  TensorProto &u64 = addInitializer("u64", {1}, TensorProto::UINT64);
  u64.add_uint64_data(18000000000000000000ull);
  for (const char *name : {"f64", "i16", "u16", "u32", "u64"}) {
    addNode("Identity", {name}, {std::string(name) + "_out"});
    addOutput(std::string(name) + "_out");
  }
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  std::string ir = print(*module);
  EXPECT_TRUE(contains(ir, "dense<[5.000000e-01, -3.000000e+00]> : "
                           "tensor<2xf64>"))
      << ir;
  EXPECT_TRUE(contains(ir, "dense<[-300, 7]> : tensor<2xi16>")) << ir;
  EXPECT_TRUE(contains(ir, "dense<65535> : tensor<1xui16>")) << ir;
  EXPECT_TRUE(contains(ir, "dense<4000000000> : tensor<1xui32>")) << ir;
  EXPECT_TRUE(contains(ir, "dense<18000000000000000000> : tensor<1xui64>"))
      << ir;
}

TEST_F(ImporterTest, UnsupportedTensorTypeNamesTheTensor) {
  addInput("x", {2});
  TensorProto &t = addInitializer("cplx", {2}, TensorProto::COMPLEX64);
  t.add_float_data(1);
  t.add_float_data(2);
  addNode("Add", {"x", "cplx"}, {"y"}, "add");
  addOutput("y");
  EXPECT_FALSE(importModel());
  ASSERT_EQ(errors.size(), 1u) << allErrors();
  EXPECT_TRUE(contains(errors[0], "tensor 'cplx': unsupported element type "
                                  "COMPLEX64"))
      << errors[0];
}

TEST_F(ImporterTest, InputWithoutShapeIsReported) {
  auto *input = graph().add_input();
  input->set_name("x");
  input->mutable_type()->mutable_tensor_type()->set_elem_type(
      TensorProto::FLOAT);
  addNode("Relu", {"x"}, {"y"});
  addOutput("y");
  EXPECT_FALSE(importModel());
  ASSERT_EQ(errors.size(), 1u) << allErrors();
  EXPECT_TRUE(contains(errors[0], "graph input 'x' has no shape")) << errors[0];
}

/// Points `t` at `length` bytes at `offset` of `location`.
static void setExternal(TensorProto &t, const std::string &location,
                        int64_t offset, int64_t length) {
  t.set_data_location(TensorProto::EXTERNAL);
  auto add = [&](const char *key, const std::string &value) {
    auto *entry = t.add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  add("location", location);
  add("offset", std::to_string(offset));
  add("length", std::to_string(length));
}

TEST_F(ImporterTest, ExternalDataLoads) {
  // weights.bin: 12 bytes of padding, 3 small floats, then 300 floats.
  std::vector<float> small = {1.5f, 2.5f, 3.5f}, big(300);
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<float>(i) * 0.5f;
  {
    std::ofstream out(path("weights.bin"), std::ios::binary);
    out << std::string(12, '\0');
    out.write(reinterpret_cast<const char *>(small.data()), 12);
    out.write(reinterpret_cast<const char *>(big.data()), 1200);
  }
  addInput("x", {3});
  addInput("z", {300});
  setExternal(addInitializer("small", {3}), "weights.bin", 12, 12);
  setExternal(addInitializer("big", {300}), "weights.bin", 24, 1200);
  addNode("Add", {"x", "small"}, {"y"});
  addNode("Mul", {"z", "big"}, {"w"});
  addOutput("y");
  addOutput("w");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  auto constants = collect<strata::graph::ConstantOp>(*module);
  ASSERT_EQ(constants.size(), 2u);
  auto dense = dyn_cast<DenseElementsAttr>(constants[0].getValue());
  ASSERT_TRUE(dense);
  EXPECT_EQ(dense.getValues<float>()[2], 3.5f);
  auto resource = dyn_cast<DenseResourceElementsAttr>(constants[1].getValue());
  ASSERT_TRUE(resource);
  ArrayRef<float> values =
      resource.getRawHandle().getBlob()->getDataAs<float>();
  ASSERT_EQ(values.size(), 300u);
  EXPECT_EQ(values[299], 149.5f);
}

TEST_F(ImporterTest, ExternalDataErrors) {
  std::ofstream(path("short.bin"), std::ios::binary) << std::string(8, '\0');
  addInput("x", {3});
  setExternal(addInitializer("missing", {3}), "nope.bin", 0, 12);
  setExternal(addInitializer("short", {3}), "short.bin", 0, 12);
  addNode("Add", {"x", "missing"}, {"a"}, "a");
  addNode("Add", {"x", "short"}, {"b"}, "b");
  addOutput("a");
  addOutput("b");
  EXPECT_FALSE(importModel());
  ASSERT_EQ(errors.size(), 2u) << allErrors();
  EXPECT_TRUE(contains(errors[0], "tensor 'missing': cannot open external data "
                                  "file"))
      << errors[0];
  EXPECT_TRUE(contains(errors[1], "tensor 'short': external data file"))
      << errors[1];
  EXPECT_TRUE(contains(errors[1], "has 8 bytes, fewer than offset 0 + length "
                                  "12"))
      << errors[1];
}

TEST_F(ImporterTest, DropoutMaskIsAllTrue) {
  addInput("x", {2});
  addNode("Dropout", {"x"}, {"y", "mask"}, "drop");
  addOutput("y");
  addOutput("mask");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  std::string ir = print(*module);
  EXPECT_TRUE(contains(ir, "dense<true> : tensor<2xi1>")) << ir;
}

TEST_F(ImporterTest, DropoutMaskOfDynamicShapeIsAnError) {
  addInput("x", {-1});
  addNode("Dropout", {"x"}, {"y", "mask"}, "drop");
  addOutput("y");
  addOutput("mask");
  EXPECT_FALSE(importModel());
  ASSERT_EQ(errors.size(), 1u) << allErrors();
  EXPECT_TRUE(contains(errors[0], "node 'drop' (Dropout, opset 17): the "
                                  "'mask' output needs a static input shape"))
      << errors[0];
}

TEST_F(ImporterTest, LegacySoftmaxCoercesTo2D) {
  setOpset(11);
  addInput("x", {2, 3, 4});
  addNode("Softmax", {"x"}, {"y"}, "sm"); // axis 1: over dims 1 and 2
  addOutput("y");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  auto reshapes = collect<strata::graph::ReshapeOp>(*module);
  ASSERT_EQ(reshapes.size(), 2u);
  EXPECT_EQ(reshapes[0].getShape(), ArrayRef<int64_t>({2, 12}));
  EXPECT_EQ(reshapes[1].getShape(), ArrayRef<int64_t>({2, 3, 4}));
  EXPECT_EQ(collect<strata::graph::SoftmaxOp>(*module)[0].getAxis(), 1);
}

TEST_F(ImporterTest, ClipBoundsFromConstantInputs) {
  addInput("x", {2});
  TensorProto &lo = addInitializer("lo", {});
  lo.add_float_data(-1.0f);
  addNode("Clip", {"x", "lo", ""}, {"y"}, "clip");
  addOutput("y");
  OwningOpRef<ModuleOp> module = importModel();
  ASSERT_TRUE(module) << allErrors();
  auto clip = collect<strata::graph::ClipOp>(*module)[0];
  ASSERT_TRUE(clip.getMinAttr());
  EXPECT_EQ(cast<FloatAttr>(clip.getMinAttr()).getValueAsDouble(), -1.0);
  EXPECT_FALSE(clip.getMaxAttr());
}

} // namespace

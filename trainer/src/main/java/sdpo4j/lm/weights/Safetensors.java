package sdpo4j.lm.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import sdpo4j.run.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
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
 * tensors are memory-mapped one at a time and widened to fp32 on load.
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

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
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

    /** Loads one tensor as fp32, memory-mapping only its own bytes. */
    public static NDArray load(NDManager manager, Path file, TensorInfo info) {
        long elements = info.elements();
        if (elements > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(file + ": tensor '" + info.name() + "' has " + elements
                    + " elements; at most " + (Integer.MAX_VALUE - 8) + " fit one array");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long start = dataStart(file) + info.begin();
            ByteBuffer out = ByteBuffer.allocateDirect((int) elements * 4).order(ByteOrder.nativeOrder());
            FloatBuffer floats = out.asFloatBuffer();
            int width = TensorInfo.bytesPerElement(info.dtype());
            long chunkElements = (1L << 28) / width; // map at most 256 MiB at a time
            for (long done = 0; done < elements; done += chunkElements) {
                long n = Math.min(chunkElements, elements - done);
                ByteBuffer src = ch.map(FileChannel.MapMode.READ_ONLY, start + done * width, n * width)
                        .order(ByteOrder.LITTLE_ENDIAN);
                widen(info.dtype(), src, floats, (int) n);
            }
            out.rewind();
            return manager.create(out.asFloatBuffer(), new Shape(info.shape()), DataType.FLOAT32);
        } catch (IOException e) {
            throw new SafetensorsException(file + ": cannot read tensor '" + info.name() + "': " + e.getMessage(), e);
        }
    }

    private static void widen(String dtype, ByteBuffer src, FloatBuffer dst, int n) {
        switch (dtype) {
            case "F32" -> {
                for (int i = 0; i < n; i++) {
                    dst.put(src.getFloat());
                }
            }
            case "BF16" -> {
                for (int i = 0; i < n; i++) {
                    dst.put(Float.intBitsToFloat((src.getShort() & 0xFFFF) << 16));
                }
            }
            case "F16" -> {
                for (int i = 0; i < n; i++) {
                    dst.put(halfToFloat(src.getShort()));
                }
            }
            default -> throw new IllegalStateException(dtype);
        }
    }

    /** IEEE 754 binary16 to binary32 (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exp == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            float value = mantissa / 1024f * (float) Math.pow(2, -14);
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mantissa << 13));
    }

    /**
     * Writes fp32 tensors, in the map's order, to {@code file} atomically (see {@link AtomicFiles}).
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            long bytes = a.getShape().size() * 4;
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
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
                for (NDArray a : tensors.values()) {
                    ByteBuffer data = a.toType(DataType.FLOAT32, false).toByteBuffer().order(ByteOrder.nativeOrder());
                    ByteBuffer le = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                    le.asFloatBuffer().put(data.asFloatBuffer());
                    out.write(le.array());
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw new SafetensorsException(e.getMessage(), e);
        }
    }
}

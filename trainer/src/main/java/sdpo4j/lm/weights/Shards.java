package sdpo4j.lm.weights;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import sdpo4j.run.AtomicFiles;

/**
 * Splits a model's tensors into safetensors shards and writes them with their index, as
 * {@code save_pretrained} does: tensors are taken in order and a shard is closed when the next
 * tensor would take it over the limit (a tensor larger than the limit gets a shard of its own);
 * one shard is a plain {@code model.safetensors}, several are
 * {@code model-00001-of-0000N.safetensors} with {@code model.safetensors.index.json}
 * ({@code metadata.total_size} in bytes of tensor data, {@code weight_map} name to file, keys sorted,
 * two-space indentation: the bytes {@code json.dumps(index, indent=2, sort_keys=True)} writes).
 */
final class Shards {
    private Shards() {}

    /** The shards' tensor lists, in HF's order. */
    static List<List<Safetensors.Tensor>> plan(List<Safetensors.Tensor> tensors, int bytesPerElement, long maxShardBytes) {
        List<List<Safetensors.Tensor>> shards = new ArrayList<>();
        List<Safetensors.Tensor> current = new ArrayList<>();
        long size = 0;
        for (Safetensors.Tensor t : tensors) {
            long bytes = t.elements() * bytesPerElement;
            if (bytes > maxShardBytes) {
                shards.add(List.of(t));
                continue;
            }
            if (size + bytes > maxShardBytes && !current.isEmpty()) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += bytes;
        }
        if (!current.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }

    static String shardName(int i, int n) {
        return String.format("model-%05d-of-%05d.safetensors", i + 1, n);
    }

    /** Writes the weights into {@code dir} (single file or shards and index) in {@code dtype} (F32 or BF16). */
    static void write(Path dir, List<Safetensors.Tensor> tensors, String dtype, long maxShardBytes) {
        int width = TensorInfo.bytesPerElement(dtype);
        List<List<Safetensors.Tensor>> shards = plan(tensors, width, maxShardBytes);
        Map<String, String> metadata = Map.of("format", "pt");
        if (shards.size() <= 1) {
            Safetensors.write(dir.resolve(HfCheckpoint.WEIGHTS), tensors, metadata, dtype);
            return;
        }
        Map<String, String> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = shardName(i, shards.size());
            Safetensors.write(dir.resolve(name), shards.get(i), metadata, dtype);
            for (Safetensors.Tensor t : shards.get(i)) {
                weightMap.put(t.name(), name);
                total += t.elements() * width;
            }
        }
        AtomicFiles.writeString(dir.resolve(HfCheckpoint.INDEX), index(total, weightMap));
    }

    /** The index text, byte for byte as Python's json.dumps(indent=2, sort_keys=True) + newline. */
    static String index(long totalSize, Map<String, String> sortedWeightMap) {
        StringBuilder sb = new StringBuilder("{\n  \"metadata\": {\n    \"total_size\": ").append(totalSize)
                .append("\n  },\n  \"weight_map\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : sortedWeightMap.entrySet()) {
            sb.append(first ? "\n" : ",\n").append("    ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
            first = false;
        }
        return sb.append(first ? "}\n}\n" : "\n  }\n}\n").toString();
    }

    /** A JSON string as Python writes it with ensure_ascii (tensor names are ASCII in practice). */
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        sb.append(JsonStringEncoder.getInstance().quoteAsString(s));
        return sb.append('"').toString();
    }
}

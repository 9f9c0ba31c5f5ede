package sdpo4j.lm.weights;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import sdpo4j.config.ConfigException;

/**
 * How a model directory is written: the weights' dtype and the size above which they are split
 * into shards with an index, as {@code save_pretrained(max_shard_size=...)} splits them.
 *
 * @param dtype {@code auto} (bf16 when the source checkpoint's {@code config.json} says bfloat16, else fp32),
 *     {@code float32} or {@code bfloat16}
 * @param maxShardBytes a shard holds at most this many bytes of tensor data (a larger tensor gets a shard of its own)
 */
public record SaveOptions(String dtype, long maxShardBytes) {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?");
    /** HF's default {@code max_shard_size}. */
    public static final String DEFAULT_MAX_SHARD_SIZE = "5GB";
    /** The source's precision, HF's default shard size. */
    public static final SaveOptions AUTO = new SaveOptions("auto", parseSize("max-shard-size", DEFAULT_MAX_SHARD_SIZE));
    /** fp32 whatever the source: what a run needs to resume exactly. */
    public static final SaveOptions EXACT = AUTO.withDtype("float32");

    public SaveOptions {
        if (!dtype.equals("auto") && !dtype.equals("float32") && !dtype.equals("bfloat16")) {
            throw new ConfigException("dtype", dtype, "auto, float32 or bfloat16");
        }
        if (maxShardBytes < 1) {
            throw new ConfigException("max-shard-size", maxShardBytes, "a positive size");
        }
    }

    public SaveOptions withDtype(String d) {
        return new SaveOptions(d, maxShardBytes);
    }

    public SaveOptions withShards(long bytes) {
        return new SaveOptions(dtype, bytes);
    }

    /**
     * A size as {@code save_pretrained} reads it: {@code 5GB} is 5 * 10^9 bytes, {@code 5GiB}
     * 5 * 2^30, a bare number is bytes.
     */
    public static long parseSize(String key, String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(key, text, "a size such as 5GB, 500MB, 2GiB or a number of bytes");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        double scale = switch (unit) {
            case "B" -> 1;
            case "KB" -> 1e3;
            case "MB" -> 1e6;
            case "GB" -> 1e9;
            case "TB" -> 1e12;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            default -> (double) (1L << 40);
        };
        long bytes = (long) (n * scale);
        if (bytes < 1) {
            throw new ConfigException(key, text, "a positive size");
        }
        return bytes;
    }
}

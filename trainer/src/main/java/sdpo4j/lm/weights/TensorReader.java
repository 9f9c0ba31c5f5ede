package sdpo4j.lm.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * One safetensors file open for reading tensors into new fp32 arrays, a window of the file at a
 * time: the window is memory-mapped, wrapped as a libtorch array over the mapped bytes (no copy),
 * copied into its place in the destination by one libtorch op and unmapped at once. No value
 * passes through the Java heap or a Java loop, and the process maps at most one window of the
 * file: loading holds the model's arrays plus one window.
 *
 * <p>bf16, the dtype of most releases: DJL's JNI has no bf16 type (creating such an array aborts
 * the JVM) and no op that reinterprets bits. The fp32 number whose high 16 bits are a bf16
 * number's bits and whose low 16 bits are zero is that number exactly, so the destination is
 * made as zeros, viewed as pairs of 16-bit lanes, and the file's values are copied into the high
 * lane (the second in little-endian memory): one strided copy. The lanes are typed fp16 only as a container:
 * a copy between arrays of one type moves bits unchanged. fp16 values are converted by libtorch's
 * copy (exact; a signalling NaN comes out quiet), fp32 values are copied.
 */
final class TensorReader implements AutoCloseable {
    /** Bytes of the file mapped at once. */
    static final long WINDOW_BYTES = 16L << 20;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final long windowBytes;

    private TensorReader(Path file, FileChannel channel, long dataStart, long windowBytes) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.windowBytes = windowBytes;
    }

    /** Opens {@code file}, whose header {@link Safetensors#readHeader} has validated. */
    static TensorReader open(Path file) {
        return open(file, WINDOW_BYTES);
    }

    /** The same with windows of at most {@code windowBytes} (a multiple of 4; tests use small ones). */
    static TensorReader open(Path file, long windowBytes) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new SafetensorsException(file + ": safetensors data is little-endian; this machine is big-endian, "
                    + "which the loader does not support");
        }
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            try {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                Safetensors.readFully(ch, len, 0);
                return new TensorReader(file, ch, 8 + len.flip().getLong(), windowBytes);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new SafetensorsException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Tensor {@code info} as a new fp32 array of {@code manager}; {@code bytesRead} hears the
     * file bytes of each window as it is done.
     */
    NDArray read(NDManager manager, TensorInfo info, LongConsumer bytesRead) {
        long elements = info.elements();
        if (elements > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(file + ": tensor '" + info.name() + "' has " + elements
                    + " elements; at most " + (Integer.MAX_VALUE - 8) + " fit one array");
        }
        String dtype = info.dtype();
        // bf16 leaves the low half of each fp32 zero: zeros for it, else uninitialised (every byte is written below).
        NDArray out = dtype.equals("BF16") ? manager.zeros(new Shape(info.shape()), DataType.FLOAT32)
                : manager.create(new Shape(info.shape()), DataType.FLOAT32);
        if (elements == 0) {
            return out;
        }
        int width = TensorInfo.bytesPerElement(dtype);
        long windowElements = windowBytes / width;
        try (NDArray flat = out.reshape(elements)) {
            for (long done = 0; done < elements; done += windowElements) {
                long n = Math.min(windowElements, elements - done);
                copyWindow(manager, flat, dtype, done, n, dataStart + info.begin() + done * width, n * width);
                bytesRead.accept(n * width);
            }
        } catch (IOException e) {
            out.close();
            throw new SafetensorsException(file + ": cannot read tensor '" + info.name() + "': " + e.getMessage(), e);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /** Elements {@code [from, from + n)} of {@code flat} from the file's bytes at {@code position}. */
    private void copyWindow(NDManager manager, NDArray flat, String dtype, long from, long n, long position, long bytes)
            throws IOException {
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, position, bytes);
        try (NDArray part = flat.get(new NDIndex("{}:{}", from, from + n))) {
            // The window of the destination's memory (a slice of a contiguous array is contiguous).
            ByteBuffer memory = part.toByteBuffer(true);
            boolean bf16 = dtype.equals("BF16");
            DataType fileType = dtype.equals("F32") ? DataType.FLOAT32 : DataType.FLOAT16;
            try (NDArray target = bf16 ? manager.create(memory, new Shape(n, 2), DataType.FLOAT16)
                    : manager.create(memory, new Shape(n), DataType.FLOAT32);
                    NDArray source = manager.create(mapped, bf16 ? new Shape(n, 1) : new Shape(n), fileType)) {
                if (bf16) {
                    target.set(new NDIndex(":, 1:"), source);
                } else {
                    target.set(new NDIndex(":"), source);
                }
            }
        } finally {
            unmap(mapped);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new SafetensorsException(file + ": cannot close: " + e.getMessage(), e);
        }
    }

    /*
     * A MappedByteBuffer is unmapped only when the garbage collector finds it unreachable, which
     * after a load may be never: every window would stay mapped (and its pages counted as the
     * process's) for the life of the run. Java 17 has no public unmap; sun.misc.Unsafe's
     * invokeCleaner (module jdk.unsupported, open to all) runs the buffer's cleaner now. The
     * arrays over the window are closed first: nothing reads it afterwards.
     */
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        try {
            Class<?> unsafe = Class.forName("sun.misc.Unsafe");
            Field instance = unsafe.getDeclaredField("theUnsafe");
            instance.setAccessible(true);
            UNSAFE = instance.get(null);
            INVOKE_CLEANER = unsafe.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("cannot find sun.misc.Unsafe.invokeCleaner to unmap safetensors windows: " + e);
        }
    }

    private static void unmap(MappedByteBuffer mapped) {
        try {
            INVOKE_CLEANER.invoke(UNSAFE, mapped);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot unmap a safetensors window", e);
        }
    }
}

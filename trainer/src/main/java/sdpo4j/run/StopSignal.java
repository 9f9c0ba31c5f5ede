package sdpo4j.run;

import sun.misc.Signal;

/**
 * Turns the first SIGINT or SIGTERM into a request that a long job checks between steps (so it
 * can finish the step, write a checkpoint and exit cleanly) instead of the JVM's immediate
 * shutdown. A second signal exits at once: everything on disk is written atomically, so even
 * that loses at most the step in progress.
 */
public final class StopSignal {
    private volatile String received;

    private StopSignal() {}

    /** Installs handlers for INT and TERM; call once per process, from a command. */
    public static StopSignal install() {
        StopSignal s = new StopSignal();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), sig -> {
                if (s.received != null) {
                    System.err.println("second SIG" + sig.getName() + ": exiting now");
                    Runtime.getRuntime().halt(128 + sig.getNumber());
                }
                s.received = "SIG" + sig.getName();
                System.err.println(s.received + " received: finishing the current step and writing a checkpoint "
                        + "(send it again to exit at once)");
            });
        }
        return s;
    }

    public boolean requested() {
        return received != null;
    }

    /** The signal's name, e.g. {@code SIGINT}, or null. */
    public String signal() {
        return received;
    }

    /** The conventional exit code for the received signal (130 for INT, 143 for TERM), or 0. */
    public int exitCode() {
        return received == null ? 0 : "SIGINT".equals(received) ? 130 : 143;
    }
}

package sdpo4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import sdpo4j.run.RunException;
import sdpo4j.train.Checkpoints;

/** {@code sdpo4j verify RUN_DIR}: every checkpoint of a run against its manifest. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check every checkpoint of a training run against its manifest (the size and SHA-256 of each "
                + "file) and print one line per checkpoint. Exit 0 when all are intact, 1 when any is damaged."})
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", description = "A run directory written by train or compare.")
    Path runDir;

    @Override
    public Integer call() {
        if (!Files.isDirectory(runDir)) {
            throw new RunException(runDir + ": no such run directory");
        }
        List<Checkpoints.Status> all = Checkpoints.verify(runDir);
        if (all.isEmpty()) {
            System.out.println(runDir + ": no checkpoints");
            return 0;
        }
        long damaged = 0;
        for (Checkpoints.Status s : all) {
            System.out.println(s.dir() + ": " + (s.intact() ? "intact" : "DAMAGED: " + String.join("; ", s.problems())));
            damaged += s.intact() ? 0 : 1;
        }
        System.out.println(all.size() + " checkpoints, " + (all.size() - damaged) + " intact, " + damaged + " damaged"
                + (damaged == all.size() ? "" : "; --resume takes the newest intact one"));
        return damaged == 0 ? 0 : 1;
    }
}

package sdpo4j.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import sdpo4j.cli.Main;
import sdpo4j.train.BuiltInModel;

/** {@code quickstart} is registered with the launcher from its own package (the stages themselves run for minutes). */
class QuickstartCommandTest {
    @Test
    void theLauncherListsQuickstartAndItsDefaults() {
        StringWriter out = new StringWriter();
        int code = Main.execute(new String[] {"--help"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertEquals(0, code);
        assertTrue(out.toString().contains("quickstart"), out.toString());
        StringWriter help = new StringWriter();
        assertEquals(0, Main.execute(new String[] {"quickstart", "--help"}, new PrintWriter(help, true),
                new PrintWriter(new StringWriter(), true)));
        assertTrue(help.toString().contains("--pretrain-steps") && help.toString().contains("Default: " + BuiltInModel.Options.DEFAULT.steps()), help.toString());
        assertTrue(help.toString().contains("configs/quickstart.yaml"), help.toString());
    }
}

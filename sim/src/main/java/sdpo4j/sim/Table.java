package sdpo4j.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * A report table: rendered as Markdown in the report and written as CSV beside it. The
 * simulator's report and the bridge's render their tables with it.
 */
public final class Table {
    final String name;
    final List<String> header;
    final List<List<String>> rows = new ArrayList<>();

    public Table(String name, List<String> header) {
        this.name = name;
        this.header = List.copyOf(header);
    }

    public Table row(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, header " + header.size());
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", header)).append(" |\n");
        sb.append("|").append("---|".repeat(header.size())).append("\n");
        for (List<String> r : rows) {
            sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return sb.toString();
    }

    String csv() {
        StringBuilder sb = new StringBuilder();
        sb.append(csvLine(header));
        for (List<String> r : rows) {
            sb.append(csvLine(r));
        }
        return sb.toString();
    }

    private static String csvLine(List<String> cells) {
        List<String> quoted = new ArrayList<>();
        for (String c : cells) {
            String plain = c.replace("**", "");
            quoted.add(plain.contains(",") || plain.contains("\"") ? "\"" + plain.replace("\"", "\"\"") + "\"" : plain);
        }
        return String.join(",", quoted) + "\n";
    }
}

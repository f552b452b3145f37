package io.backlane.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's commands after its set-up: they run {@code bin/backlane} (the jar it builds), not Maven,
 * and the files they write in the repository are ignored by git. CI runs the launcher itself.
 */
class ReadmeLauncherTest {
    private static final Path README = Path.of("README.md");
    private static final String BUILD_JAR = "mvn -q package -DskipTests";

    /** The lines of the README's {@code sh} blocks after the set-up commands. */
    private static List<String> commandsAfterSetUp() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        String setUp = "```sh\nmvn -q compile exec:exec\nmvn verify\n```";
        int from = readme.indexOf(setUp);
        assertTrue(from >= 0, "the two set-up commands");
        Matcher blocks = Pattern.compile("(?s)```sh\\n(.*?)```").matcher(readme.substring(from + setUp.length()));
        List<String> lines = new ArrayList<>();
        while (blocks.find()) {
            blocks.group(1).lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
        }
        assertFalse(lines.isEmpty(), "commands after the set-up");
        return lines;
    }

    @Test
    void theCommandsAfterTheSetUpRunTheLauncher() throws Exception {
        List<String> lines = commandsAfterSetUp();
        assertTrue(lines.contains(BUILD_JAR), "the README says how to build the jar: " + BUILD_JAR);
        for (String line : lines) {
            assertFalse(line.contains("exec:exec") || line.contains("io.backlane.cli.Main"), "runs Maven or java: " + line);
        }
        assertTrue(lines.stream().filter(l -> l.contains("backlane ")).allMatch(l -> l.contains("bin/backlane ")),
                lines.toString());
        // The launcher says the same when the jar is missing.
        assertTrue(Files.readString(Path.of("bin/backlane"), StandardCharsets.UTF_8).contains(BUILD_JAR));
        assertTrue(Files.isExecutable(Path.of("bin/backlane")), "bin/backlane is executable");
    }

    /** Every file that a README command writes ({@code --save}, {@code --plot}, {@code --output}, {@code -o}, {@code >}). */
    @Test
    void theFilesTheExamplesWriteAreIgnoredByGit() throws Exception {
        List<PathMatcher> ignored = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(".gitignore"), StandardCharsets.UTF_8)) {
            String p = line.strip();
            if (!p.isEmpty() && !p.startsWith("#") && !p.endsWith("/")) {
                // "/x" matches x at the top only; "x" (no slash) matches a file name anywhere.
                String glob = p.startsWith("/") ? p.substring(1) : "{" + p + ",**/" + p + "}";
                ignored.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            }
        }
        Pattern output = Pattern.compile("(?:--save|--plot|--output|-o|>)\\s+([^\\s\"]+)");
        List<String> written = new ArrayList<>();
        for (String line : commandsAfterSetUp()) {
            Matcher m = output.matcher(line);
            while (m.find()) {
                written.add(m.group(1));
            }
        }
        assertTrue(written.contains("cancer.bkln") && written.contains("rows.csv"), "files found: " + written);
        for (String file : written) {
            assertTrue(ignored.stream().anyMatch(g -> g.matches(Path.of(file))), file + " is not in .gitignore");
        }
    }
}

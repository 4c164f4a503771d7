namespace Mirc.Testing;

/// <summary>
/// DICOM files shipped by Debian packages (python3-pydicom's test data, GDCM's and dicom3tools' examples), each with
/// dcmdump's verdict: the third-party corpus of issue 15. dcmdump is the referee — a file it reads without error must be
/// stored byte-exact or rejected with a reason naming its defect.
/// </summary>
public static class DebianDicomCorpus
{
    /// <summary>
    /// Folders searched, in this order, with the package each file is named after; absent ones are skipped (./test.sh
    /// installs the first three packages, and unpacks the samples of octave-dicom, python3-nibabel, dicomscope and
    /// heudiconv into <c>.tools/debian-dicom/{package}/</c> without installing them).
    /// </summary>
    public static IReadOnlyList<(string Path, string Package)> Roots { get; } =
    [
        ("/usr/lib/python3/dist-packages/pydicom/data", "pydicom"),
        ("/usr/share/doc/libgdcm3.0/examples", "gdcm"),
        ("/usr/share/doc/dicom3tools/examples", "dicom3tools"),
        .. new[] { "octave-dicom", "python3-nibabel", "dicomscope", "heudiconv" }.Select(p => (System.IO.Path.Combine(TestEnvironment.ToolsDirectory, "debian-dicom", p), p)),
    ];

    private static readonly string[] TextExtensions = [".py", ".pyc", ".json", ".txt", ".md", ".dump", ".gz"];

    private static readonly Lazy<IReadOnlyList<CorpusFile>> All = new(Scan);

    /// <summary>One file and what dcmdump made of it.</summary>
    /// <param name="Path">Absolute path.</param>
    /// <param name="Name">Path relative to its root, prefixed by the package it came from.</param>
    /// <param name="DcmdumpReads">dcmdump exited 0 without an error line.</param>
    /// <param name="DcmdumpError">dcmdump's complaint otherwise.</param>
    public sealed record CorpusFile(string Path, string Name, bool DcmdumpReads, string? DcmdumpError)
    {
        /// <inheritdoc/>
        public override string ToString() => Name;
    }

    /// <summary>Every candidate file with dcmdump's verdict (dcmdump runs once per file per process).</summary>
    public static IReadOnlyList<CorpusFile> Files => All.Value;

    /// <summary>The files dcmdump reads without error.</summary>
    public static IEnumerable<CorpusFile> ReadableByDcmdump => Files.Where(f => f.DcmdumpReads);

    /// <summary>The absolute path of the corpus file named <paramref name="name"/> (e.g. a theory's argument).</summary>
    public static string PathOf(string name) => Files.Single(f => f.Name == name).Path;

    /// <summary>dcmdump's complaint about the file at <paramref name="path"/>, or null when it reads it without error.</summary>
    public static string? DcmdumpError(string path) => RunDcmdump(Dcmdump(), path);

    private static string Dcmdump() => new[] { "/usr/bin/dcmdump" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("dcmdump not found: install dcmtk (./test.sh does).");

    private static List<CorpusFile> Scan()
    {
        var dcmdump = Dcmdump();
        var found = new List<(string Path, string Name)>();
        foreach (var (root, package) in Roots.Where(r => Directory.Exists(r.Path)))
        {
            foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (TextExtensions.Contains(System.IO.Path.GetExtension(path), StringComparer.OrdinalIgnoreCase)
                    || System.IO.Path.GetFileName(path).StartsWith("README", StringComparison.Ordinal)
                    || path.Contains("__pycache__", StringComparison.Ordinal))
                {
                    continue;
                }

                found.Add((path, package + "/" + System.IO.Path.GetRelativePath(root, path)));
            }
        }

        if (found.Count == 0)
        {
            throw new InvalidOperationException("No corpus file found: install python3-pydicom, libgdcm-tools, dicom3tools (./test.sh does).");
        }

        // Bounded fan-out: dcmdump is a process per file.
        var results = new CorpusFile[found.Count];
        Parallel.For(0, found.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var (path, name) = found[i];
            var error = RunDcmdump(dcmdump, path);
            results[i] = new CorpusFile(path, name, error is null, error);
        });
        return [.. results];
    }

    // -q keeps the verdict cheap (exit code only); a refused file is run again to say why.
    private static string? RunDcmdump(string dcmdump, string path)
    {
        var (exit, _) = Run(dcmdump, "-q", path);
        if (exit == 0) return null;
        var (_, output) = Run(dcmdump, "-M", path);
        var errors = output.Split('\n').Where(l => l.StartsWith("E:", StringComparison.Ordinal) || l.StartsWith("F:", StringComparison.Ordinal));
        return $"exit {exit}: {string.Join(" | ", errors)}".Trim();
    }

    private static (int Exit, string StdErr) Run(string tool, params string[] args)
    {
        try
        {
            var run = ExternalTool.Run(tool, args, TimeSpan.FromSeconds(30));
            return (run.ExitCode, run.StandardError);
        }
        catch (TimeoutException)
        {
            return (-1, "E: dcmdump did not finish in 30 s");
        }
    }
}

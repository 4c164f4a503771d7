namespace Mirc.Testing;

/// <summary>
/// The field-deviation files of issue 15, written by pydicom (make_tolerance_files.py, run with /usr/bin/python3 and
/// Debian's python3-pydicom) into a temporary folder; disposing removes it.
/// </summary>
public sealed class ToleranceFiles : IDisposable
{
    /// <summary>Files dcmdump does not read (stray bytes after the data set); pydicom does.</summary>
    public const string PydicomOnlyPrefix = "pydicom_only_";

    public ToleranceFiles()
    {
        var script = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "Mirc.Testing", "make_tolerance_files.py");
        if (!File.Exists("/usr/bin/python3"))
        {
            throw new InvalidOperationException("/usr/bin/python3 is needed (with python3-pydicom; ./test.sh installs it).");
        }

        var run = ExternalTool.Run("/usr/bin/python3", [script, Folder], TimeSpan.FromSeconds(60));
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"make_tolerance_files.py failed: {run.StandardError}");
        }
    }

    /// <summary>The folder holding the files.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("mirc-tolerance-").FullName;

    /// <summary>Every file written.</summary>
    public IEnumerable<string> All => Directory.EnumerateFiles(Folder).Order(StringComparer.Ordinal);

    /// <summary>Path of one file.</summary>
    public string this[string name] => Path.Combine(Folder, name);

    /// <inheritdoc/>
    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

using System.Diagnostics;

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

        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(Folder);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException("make_tolerance_files.py did not finish in 60 s");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"make_tolerance_files.py failed: {stderr.Result}");
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

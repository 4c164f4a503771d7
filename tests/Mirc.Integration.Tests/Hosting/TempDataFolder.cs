namespace Mirc.Integration.Tests.Hosting;

/// <summary>A data folder removed when the test ends.</summary>
public sealed class TempDataFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mirc-it-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

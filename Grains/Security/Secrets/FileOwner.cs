using Mirc.Grains.Storage;

namespace Mirc.Grains.Security.Secrets;

/// <summary>Which account owns a file system entry (Linux): .NET reads an entry's mode but not its owner.</summary>
public static class FileOwner
{
    /// <summary>
    /// Why the entry at <paramref name="path"/> (a link itself, not followed) is not this process's own — "owned by
    /// account 1001, not by this process's account 0" —, or null when it is (and always on Windows). An entry whose owner
    /// cannot be read is not the process's own either.
    /// </summary>
    public static string? NotOwnedByThisProcess(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var (entry, failure) = Statx.Read(path, followLink: false, Statx.OwnerWanted);
        if (entry is null)
        {
            return $"its owner could not be read ({failure})";
        }

        var owner = Statx.Field(entry, Statx.Uid);
        var self = NativeMethods.geteuid();
        return owner == self ? null : $"owned by account {owner}, not by this process's account {self}";
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in a project file this team does not own.
        [System.Runtime.InteropServices.DllImport("libc")]
        public static extern uint geteuid();
#pragma warning restore SYSLIB1054
    }
}

namespace Mirc.Grains.Security.Secrets;

/// <summary>
/// Folders that hold patient data or secrets — the data folder, a backup, the data-protection keys — readable by the
/// silo's own user only (0700 on Unix): the default umask would leave them, and every DICOM file in them, readable by any
/// local account.
/// </summary>
public static class OwnerOnlyFolder
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates <paramref name="path"/> (and missing parents) owner-only; an existing folder keeps the mode its operator
    /// gave it (a group shared with a backup account, say).
    /// </summary>
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, OwnerOnly);
    }

    /// <summary>
    /// The mode of the existing folder <paramref name="path"/> as four octal digits when it grants other accounts any of
    /// <paramref name="access"/> (group and other bits); else null, and always on Windows.
    /// </summary>
    public static string? OpenToOthers(string path, UnixFileMode access)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & access & ~OwnerOnly) == 0 ? null : Convert.ToString((int)mode, 8).PadLeft(4, '0');
    }

    /// <summary>Creates <paramref name="path"/> owner-only, and makes it so if it existed with another mode.</summary>
    public static void Enforce(string path)
    {
        Create(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
    }
}

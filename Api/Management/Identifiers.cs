namespace Mirc.Api.Management;

/// <summary>Syntax rules for identifiers taken from management requests (they become grain keys and audit entries).</summary>
public static class Identifiers
{
    /// <summary>Establishment ids (e.g. FINESS numbers) and regional patient ids: 1–64 of letters, digits, '.', '_', '-'.</summary>
    public static bool IsValidKey(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>RPPS: the 11-digit French national professional id.</summary>
    public static bool IsValidRpps(string? value) => value is { Length: 11 } && value.All(char.IsAsciiDigit);

    /// <summary>AE titles: 1–16 characters of the default repertoire, no backslash or control character, not only spaces.</summary>
    public static bool IsValidAeTitle(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 16 && value.All(c => c is >= ' ' and <= '~' and not '\\');

    /// <summary>DICOM LO-like free text: at most 64 characters, no backslash or control character.</summary>
    public static bool IsValidShortText(string? value) =>
        value is not null && value.Length <= 64 && value.All(c => !char.IsControl(c) && c != '\\');
}

namespace Mirc.Bench.Cli;

/// <summary>Checks of option values shared by every subcommand's parser; each throws <see cref="ArgumentException"/> naming the option.</summary>
public static class OptionValues
{
    /// <summary>A DICOM AE title: 1 to 16 printable ASCII characters, no backslash.</summary>
    public static string AeTitle(string name, string value) =>
        value.Length is > 0 and <= 16 && value.All(c => c is >= ' ' and <= '~' and not '\\')
            ? value
            : throw new ArgumentException($"{name}: an AE title is 1 to 16 printable ASCII characters");

    /// <summary>An absolute http(s) URL, without its trailing slash.</summary>
    public static Uri Url(string name, string value) =>
        Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)
            ? u
            : throw new ArgumentException($"{name} needs an absolute http(s) URL");
}

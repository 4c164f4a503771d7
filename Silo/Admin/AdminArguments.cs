namespace Mirc.Silo.Admin;

/// <summary>An admin command line: the verb, positional arguments, <c>--option value</c> pairs and <c>--Mirc:…</c> settings.</summary>
internal sealed class AdminArguments
{
    // Options that take no value.
    private static readonly HashSet<string> Flags = new(["--backfill"], StringComparer.OrdinalIgnoreCase);

    private readonly Dictionary<string, string> _options = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _positional = [];

    private AdminArguments(string verb) => Verb = verb;

    public string Verb { get; }

    /// <summary>Configuration overrides (<c>--Mirc:GatewayPort=30001</c>), handed to the configuration builder.</summary>
    public List<string> Settings { get; } = [];

    /// <summary>Null for help (no command, <c>help</c>, <c>--help</c>).</summary>
    public static AdminArguments? Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h" || args.Contains("--help"))
        {
            return null;
        }

        var result = new AdminArguments(args[0].ToLowerInvariant());
        for (var i = 1; i < args.Length; i++)
        {
            var a = args[i];
            if (a.StartsWith("--Mirc:", StringComparison.OrdinalIgnoreCase) || a.StartsWith("--Logging:", StringComparison.OrdinalIgnoreCase))
            {
                result.Settings.Add(a);
            }
            else if (Flags.Contains(a))
            {
                result._options[a[2..]] = "true";
            }
            else if (a.StartsWith("--", StringComparison.Ordinal))
            {
                result._options[a[2..]] = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {a} needs a value");
            }
            else
            {
                result._positional.Add(a);
            }
        }

        return result;
    }

    public string? Option(string name) => _options.GetValueOrDefault(name);

    public bool Flag(string name) => _options.ContainsKey(name);

    public string Username() =>
        _positional.FirstOrDefault()?.Trim().ToLowerInvariant() is { Length: > 0 } username
            ? username
            : throw new ArgumentException($"{Verb} needs a username");

    /// <summary>The folder argument of the backup commands.</summary>
    public string Folder() =>
        _positional.FirstOrDefault() is { Length: > 0 } folder ? folder : throw new ArgumentException($"{Verb} needs a folder");
}

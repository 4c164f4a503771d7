using System.Globalization;

namespace Mirc.Bench.Cli;

/// <summary>
/// Walks a subcommand's arguments: <see cref="MoveNext"/> reads the next option's name, and the typed readers take
/// its value, each throwing an <see cref="ArgumentException"/> that names the option.
/// </summary>
public sealed class OptionReader(IReadOnlyList<string> args)
{
    private int _next;

    /// <summary>The option being read.</summary>
    public string Name { get; private set; } = "";

    /// <summary>Moves to the next option; false at the end.</summary>
    public bool MoveNext()
    {
        if (_next >= args.Count)
        {
            return false;
        }

        Name = args[_next++];
        return true;
    }

    /// <summary>The option's value: the next argument.</summary>
    public string Value() => _next < args.Count ? args[_next++] : throw new ArgumentException($"{Name} needs a value");

    /// <summary>A whole number, 0 included.</summary>
    public long Long() =>
        long.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"{Name} needs a whole number");

    /// <summary>A whole number that fits an <see cref="int"/>, 0 included.</summary>
    public int Int() => Long() is var v and <= int.MaxValue ? (int)v : throw new ArgumentException($"{Name} is too large");

    /// <summary>A whole number of at least 1.</summary>
    public int Positive() => Int() is var v and > 0 ? v : throw new ArgumentException($"{Name} must be at least 1");

    /// <summary>The error for an option the subcommand does not know.</summary>
    public ArgumentException Unknown() => new($"unknown option {Name}");
}

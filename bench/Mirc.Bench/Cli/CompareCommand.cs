using Mirc.Bench.Reporting;

namespace Mirc.Bench.Cli;

/// <summary><c>compare --ours A.json --theirs B.json [--out DIR]</c>: side-by-side table of two runs.</summary>
public static class CompareCommand
{
    /// <summary>Prints the comparison and writes <c>compare.md</c> into <c>--out</c> if given.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string? ours = null, theirs = null, output = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--ours": ours = Value(); break;
                case "--theirs": theirs = Value(); break;
                case "--out": output = Value(); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (ours is null || theirs is null) throw new ArgumentException("compare needs --ours and --theirs");
        var table = MarkdownTable.Compare(
            await ReportFiles.ReadAsync(ours, cancellationToken).ConfigureAwait(false),
            await ReportFiles.ReadAsync(theirs, cancellationToken).ConfigureAwait(false));
        Console.WriteLine(table);
        if (output is not null)
        {
            Directory.CreateDirectory(output);
            await File.WriteAllTextAsync(Path.Combine(output, "compare.md"), table, cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}

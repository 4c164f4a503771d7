using Mirc.Bench.Reporting;

namespace Mirc.Bench.Cli;

/// <summary><c>compare --ours A.json --theirs B.json [--out DIR]</c>: side-by-side table of two runs.</summary>
public static class CompareCommand
{
    /// <summary>Prints the comparison and writes <c>compare.md</c> into <c>--out</c> if given.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string? ours = null, theirs = null, output = null;
        var options = new OptionReader(args);
        while (options.MoveNext())
        {
            switch (options.Name)
            {
                case "--ours": ours = options.Value(); break;
                case "--theirs": theirs = options.Value(); break;
                case "--out": output = options.Value(); break;
                default: throw options.Unknown();
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

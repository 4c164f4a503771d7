using System.Text;

namespace Mirc.Grains.Indexing;

/// <summary>
/// Folds a person name (or a PN matching key) for case- and accent-insensitive matching: keeps the alphabetic
/// component group (before the first <c>=</c>), drops trailing empty components and padding, removes Latin
/// diacritics (Latin-1 and Latin Extended-A, by table: the process runs with invariant globalization, where
/// Unicode decomposition is not available) and upper-cases. Wildcards <c>*</c>/<c>?</c> are kept.
/// </summary>
public static class PersonNameNormalizer
{
    // Base letters of U+00C0..U+00FF and U+0100..U+017F; a letter with no plain base (Æ, ß, Œ…) maps to itself.
    private const string Latin1 = "AAAAAAÆCEEEEIIIIDNOOOOO×OUUUUYÞßaaaaaaæceeeeiiiidnooooo÷ouuuuyþy";
    private const string LatinExtendedA =
        "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiĲĳJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoŒœRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

    /// <summary>The folded form, or <c>null</c> for null/empty input.</summary>
    public static string? Normalize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var alphabetic = name.AsSpan();
        var groupEnd = alphabetic.IndexOf('=');
        if (groupEnd >= 0)
        {
            alphabetic = alphabetic[..groupEnd];
        }

        alphabetic = alphabetic.Trim().TrimEnd('^').TrimEnd();
        var builder = new StringBuilder(alphabetic.Length);
        foreach (var c in alphabetic)
        {
            builder.Append(char.ToUpperInvariant(Fold(c)));
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    private static char Fold(char c) => c switch
    {
        >= '\u00C0' and <= '\u00FF' => Latin1[c - '\u00C0'],
        >= '\u0100' and <= '\u017F' => LatinExtendedA[c - '\u0100'],
        _ => c,
    };
}

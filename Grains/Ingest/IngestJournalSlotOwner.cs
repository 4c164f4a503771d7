using System.Text;

namespace Mirc.Grains.Ingest;

/// <summary>
/// The silo that writes a journal slot, encoded in the slot's name (<c>journal/s{hex of the silo address}~{guid}-NNNN.json</c>):
/// the address includes the silo's generation, so a restarted silo on the same endpoint is another owner and the
/// membership table tells whether the writer is dead. Embedded hosts and tests write no owner (the age rule applies).
/// </summary>
internal static class IngestJournalSlotOwner
{
    private const char Start = 's';
    private const char End = '~';

    /// <summary>The prefix naming <paramref name="silo"/>; empty when there is none.</summary>
    public static string Tag(SiloAddress? silo) =>
        silo is null ? string.Empty : $"{Start}{Convert.ToHexStringLower(Encoding.UTF8.GetBytes(silo.ToParsableString()))}{End}";

    /// <summary>The silo that wrote the slot <paramref name="blobName"/> (a name under <c>journal/</c>); null when it names none.</summary>
    public static SiloAddress? Parse(string blobName)
    {
        var name = blobName[(blobName.LastIndexOf('/') + 1)..];
        var end = name.IndexOf(End, StringComparison.Ordinal);
        if (name.Length == 0 || name[0] != Start || end < 2)
        {
            return null;
        }

        try
        {
            return SiloAddress.FromParsableString(Encoding.UTF8.GetString(Convert.FromHexString(name.AsSpan(1, end - 1))));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return null;
        }
    }
}

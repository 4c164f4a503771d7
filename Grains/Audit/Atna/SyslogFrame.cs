using System.Globalization;
using System.Text;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit.Atna;

/// <summary>RFC 5424 syslog message carrying an ATNA XML payload (MSGID <c>IHE+RFC-3881</c>, facility authpriv).</summary>
public static class SyslogFrame
{
    private const int AuthPrivFacility = 10;

    /// <summary>The full syslog message (header + BOM + payload).</summary>
    public static byte[] Build(AuditEvent e, string hostName, string appName, ReadOnlySpan<byte> payload)
    {
        // Failures are raised to warning so collectors can alert on them.
        var severity = e.Outcome == AuditOutcome.Success ? 5 : 4;
        var priority = AuthPrivFacility * 8 + severity;
        var header = string.Create(CultureInfo.InvariantCulture,
            $"<{priority}>1 {e.Timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {Field(hostName, 255)} {Field(appName, 48)} {Environment.ProcessId} IHE+RFC-3881 - ");
        var headerBytes = Encoding.ASCII.GetBytes(header);
        var message = new byte[headerBytes.Length + 3 + payload.Length];
        headerBytes.CopyTo(message, 0);
        message[headerBytes.Length] = 0xEF;
        message[headerBytes.Length + 1] = 0xBB;
        message[headerBytes.Length + 2] = 0xBF;
        payload.CopyTo(message.AsSpan(headerBytes.Length + 3));
        return message;
    }

    /// <summary>RFC 6587 octet-counting frame for TCP: <c>LENGTH SP MESSAGE</c>.</summary>
    public static byte[] OctetCounted(byte[] message)
    {
        var prefix = Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " ");
        var framed = new byte[prefix.Length + message.Length];
        prefix.CopyTo(framed, 0);
        message.CopyTo(framed, prefix.Length);
        return framed;
    }

    private static string Field(string value, int maxLength)
    {
        // PRINTUSASCII without spaces; '-' is the nil value.
        var cleaned = new string(value.Where(c => c is > ' ' and < (char)127).Take(maxLength).ToArray());
        return cleaned.Length == 0 ? "-" : cleaned;
    }
}

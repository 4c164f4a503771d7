using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Audit;

/// <summary>Where DICOM/IHE ATNA audit messages are sent (section <c>Mirc:Audit:Syslog</c>).</summary>
public sealed class SyslogOptions
{
    /// <summary>Syslog collector host; empty disables the export.</summary>
    public string? Host { get; set; }

    /// <summary>Collector port (514 UDP, 6514 TLS is not supported here).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 514;

    /// <summary>Transport: <c>Udp</c> (RFC 5426) or <c>Tcp</c> (RFC 6587 octet counting).</summary>
    public SyslogTransport Transport { get; set; } = SyslogTransport.Udp;

    /// <summary>APP-NAME field and AuditSourceID.</summary>
    [Required]
    public string AppName { get; set; } = "MIRC";

    /// <summary>Audit enterprise site (AuditSourceIdentification@AuditEnterpriseSiteID).</summary>
    public string? EnterpriseSiteId { get; set; }

    /// <summary>Whether the export is configured.</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>Syslog transport.</summary>
public enum SyslogTransport
{
    /// <summary>One message per datagram.</summary>
    Udp = 0,

    /// <summary>Octet-counted frames on a TCP stream.</summary>
    Tcp = 1,
}

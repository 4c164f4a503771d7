using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Dimse;

/// <summary>The silo's DICOM listener (section <c>Mirc:Dicom</c>).</summary>
public sealed class DicomListenerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Dicom";

    /// <summary>False disables the listener.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Address to bind (loopback in the embedded default).</summary>
    [Required]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port (0 picks a free one).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 11112;

    /// <summary>Our AE title; associations addressed to another called AE are rejected unless <see cref="AcceptAnyCalledAe"/>.</summary>
    [Required, StringLength(16, MinimumLength = 1)]
    public string AeTitle { get; set; } = "MIRC";

    /// <summary>Accept whatever called AE title the peer uses.</summary>
    public bool AcceptAnyCalledAe { get; set; }

    /// <summary>Maximum concurrent associations.</summary>
    [Range(1, 10_000)]
    public int MaxAssociations { get; set; } = 64;
}

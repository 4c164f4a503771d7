using System.Globalization;
using Mirc.Bench.Dimse;

namespace Mirc.Bench.Cli;

/// <summary>
/// The archive a measuring subcommand (<c>memory</c>, <c>retrieve-scaling</c>) drives: its DIMSE peer, and optionally its
/// DICOMweb root with a bearer token. Read from the same six options by every such subcommand.
/// </summary>
public sealed class ArchiveEndpoints
{
    /// <summary>The options' lines of a subcommand's <c>--help</c> (no trailing newline).</summary>
    public const string Usage = """
          --dicom-host HOST       DIMSE host (default 127.0.0.1)
          --dicom-port PORT       DIMSE port (default 11112)
          --called-ae AE          archive AE title (default MIRC)
          --calling-ae AE         our AE title (default MIRCBENCH)
          --dicomweb-url URL      also retrieve by WADO-RS from this DICOMweb root
          --bearer TOKEN          Authorization: Bearer TOKEN on DICOMweb requests
        """;

    /// <summary>DIMSE peer host.</summary>
    public string DicomHost { get; set; } = "127.0.0.1";

    /// <summary>DIMSE peer port.</summary>
    public int DicomPort { get; set; } = 11112;

    /// <summary>Called AE title (the archive).</summary>
    public string CalledAe { get; set; } = "MIRC";

    /// <summary>Calling AE title (this benchmark as SCU).</summary>
    public string CallingAe { get; set; } = "MIRCBENCH";

    /// <summary>DICOMweb base URL; null skips the WADO-RS steps.</summary>
    public Uri? DicomWebUrl { get; set; }

    /// <summary>Bearer token sent on every DICOMweb request.</summary>
    public string? Bearer { get; set; }

    /// <summary>The DIMSE peer as the drivers take it.</summary>
    public DimseTarget Dimse => new(DicomHost, DicomPort, CalledAe, CallingAe);

    /// <summary>One line for reports, e.g. <c>DIMSE MIRC@127.0.0.1:11112 as MIRCBENCH, DICOMweb off</c>.</summary>
    public override string ToString() =>
        $"DIMSE {CalledAe}@{DicomHost}:{DicomPort} as {CallingAe}, DICOMweb {DicomWebUrl?.ToString() ?? "off"}";

    /// <summary>
    /// Takes option <paramref name="name"/> when it is one of these six, reading its value with <paramref name="value"/>;
    /// false for any other option. Throws <see cref="ArgumentException"/> on a bad value.
    /// </summary>
    public bool TryApply(string name, Func<string> value)
    {
        switch (name)
        {
            case "--dicom-host": DicomHost = value(); return true;
            case "--dicom-port": DicomPort = Port(name, value()); return true;
            case "--called-ae": CalledAe = OptionValues.AeTitle(name, value()); return true;
            case "--calling-ae": CallingAe = OptionValues.AeTitle(name, value()); return true;
            case "--dicomweb-url": DicomWebUrl = OptionValues.Url(name, value()); return true;
            case "--bearer": Bearer = value(); return true;
            default: return false;
        }
    }

    private static int Port(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new ArgumentException($"{name}: {value} is not a port (1 to 65535)");
}

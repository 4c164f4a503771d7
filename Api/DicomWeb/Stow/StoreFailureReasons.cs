namespace Mirc.Api.DicomWeb.Stow;

/// <summary>Failure Reason (0008,1197) and Warning Reason (0008,1196) codes used in STOW-RS responses (PS3.18 §10.5.3).</summary>
public static class StoreFailureReasons
{
    /// <summary>0110: processing failure.</summary>
    public const ushort ProcessingFailure = 0x0110;

    /// <summary>0111: duplicate SOP Instance UID with different content.</summary>
    public const ushort DuplicateSopInstance = 0x0111;

    /// <summary>0122: SOP class not supported.</summary>
    public const ushort SopClassNotSupported = 0x0122;

    /// <summary>A700: out of resources.</summary>
    public const ushort OutOfResources = 0xA700;

    /// <summary>A900: data set does not match SOP class (or, for <c>/studies/{study}</c>, the study in the path).</summary>
    public const ushort DataSetDoesNotMatch = 0xA900;

    /// <summary>C000: cannot understand (not a DICOM instance, unsupported part media type).</summary>
    public const ushort CannotUnderstand = 0xC000;

    /// <summary>C122: referenced transfer syntax not supported.</summary>
    public const ushort TransferSyntaxNotSupported = 0xC122;

    /// <summary>B000 (warning): coercion of data elements.</summary>
    public const ushort CoercionOfDataElements = 0xB000;
}

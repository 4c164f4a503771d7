namespace Mirc.Dicom.Network;

/// <summary>DIMSE command field values (0000,0100), PS3.7 §E.1.</summary>
public enum CommandField : ushort
{
    /// <summary>C-STORE-RQ.</summary>
    CStoreRequest = 0x0001,
    /// <summary>C-STORE-RSP.</summary>
    CStoreResponse = 0x8001,
    /// <summary>C-GET-RQ.</summary>
    CGetRequest = 0x0010,
    /// <summary>C-GET-RSP.</summary>
    CGetResponse = 0x8010,
    /// <summary>C-FIND-RQ.</summary>
    CFindRequest = 0x0020,
    /// <summary>C-FIND-RSP.</summary>
    CFindResponse = 0x8020,
    /// <summary>C-MOVE-RQ.</summary>
    CMoveRequest = 0x0021,
    /// <summary>C-MOVE-RSP.</summary>
    CMoveResponse = 0x8021,
    /// <summary>C-ECHO-RQ.</summary>
    CEchoRequest = 0x0030,
    /// <summary>C-ECHO-RSP.</summary>
    CEchoResponse = 0x8030,
    /// <summary>C-CANCEL-RQ.</summary>
    CCancelRequest = 0x0FFF,
}

/// <summary>DIMSE status codes (PS3.7 Annex C, PS3.4).</summary>
public static class DimseStatus
{
    /// <summary>Success.</summary>
    public const ushort Success = 0x0000;
    /// <summary>Pending: matches / sub-operations continuing.</summary>
    public const ushort Pending = 0xFF00;
    /// <summary>Pending: matches continuing, optional keys not supported.</summary>
    public const ushort PendingWarning = 0xFF01;
    /// <summary>Cancelled by C-CANCEL.</summary>
    public const ushort Cancel = 0xFE00;
    /// <summary>Refused: out of resources.</summary>
    public const ushort OutOfResources = 0xA700;
    /// <summary>Refused: out of resources, unable to calculate number of matches (C-MOVE/C-GET).</summary>
    public const ushort OutOfResourcesNumberOfMatches = 0xA701;
    /// <summary>Refused: out of resources, unable to perform sub-operations (C-MOVE/C-GET).</summary>
    public const ushort OutOfResourcesSubOperations = 0xA702;
    /// <summary>Refused: move destination unknown.</summary>
    public const ushort MoveDestinationUnknown = 0xA801;
    /// <summary>Error: dataset does not match SOP class.</summary>
    public const ushort DataSetDoesNotMatchSopClass = 0xA900;
    /// <summary>Failed: identifier does not match SOP class (C-FIND/C-MOVE/C-GET).</summary>
    public const ushort IdentifierDoesNotMatchSopClass = 0xA900;
    /// <summary>Error: cannot understand.</summary>
    public const ushort CannotUnderstand = 0xC000;
    /// <summary>Failed: unable to process.</summary>
    public const ushort UnableToProcess = 0xC001;
    /// <summary>Warning: coercion of data elements (C-STORE) / sub-operations complete, one or more failures (C-MOVE/C-GET).</summary>
    public const ushort Warning = 0xB000;
    /// <summary>Refused: SOP class not supported.</summary>
    public const ushort SopClassNotSupported = 0x0122;
    /// <summary>Failure: not authorized.</summary>
    public const ushort NotAuthorized = 0x0124;
    /// <summary>Failure: processing failure.</summary>
    public const ushort ProcessingFailure = 0x0110;
    /// <summary>Failure: duplicate invocation.</summary>
    public const ushort DuplicateInvocation = 0x0210;
    /// <summary>Failure: unrecognized operation.</summary>
    public const ushort UnrecognizedOperation = 0x0211;

    /// <summary>True for FF00 / FF01.</summary>
    public static bool IsPending(ushort status) => status is Pending or PendingWarning;

    /// <summary>True for success and warning statuses (0000, B000-BFFF, 0001, 0107, 0116).</summary>
    public static bool IsSuccessOrWarning(ushort status) =>
        status == Success || (status & 0xF000) == 0xB000 || status is 0x0001 or 0x0107 or 0x0116;
}

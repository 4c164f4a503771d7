namespace Mirc.Dicom.Network;

/// <summary>A presentation context proposed by the association requestor (PS3.8 §9.3.2.2).</summary>
/// <param name="Id">Odd context identifier 1..255.</param>
/// <param name="AbstractSyntax">SOP class UID (or meta SOP class).</param>
/// <param name="TransferSyntaxes">Proposed transfer syntaxes, in the requestor's order of preference.</param>
public sealed record PresentationContextProposal(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes)
{
    /// <summary>Requestor proposes to act as SCU for this abstract syntax (role selection sub-item), null when not proposed.</summary>
    public bool? RequestorScuRole { get; init; }

    /// <summary>Requestor proposes to act as SCP for this abstract syntax (needed for C-GET storage sub-operations).</summary>
    public bool? RequestorScpRole { get; init; }
}

/// <summary>Result of a presentation context negotiation (PS3.8 Table 9-18).</summary>
public enum PresentationContextResult : byte
{
    /// <summary>Acceptance.</summary>
    Accepted = 0,
    /// <summary>User rejection.</summary>
    UserRejection = 1,
    /// <summary>No reason (provider rejection).</summary>
    NoReason = 2,
    /// <summary>Abstract syntax not supported (provider rejection).</summary>
    AbstractSyntaxNotSupported = 3,
    /// <summary>Transfer syntaxes not supported (provider rejection).</summary>
    TransferSyntaxesNotSupported = 4,
}

/// <summary>A presentation context as negotiated: what both sides use for DIMSE messages on it.</summary>
/// <param name="Id">Context identifier.</param>
/// <param name="AbstractSyntax">SOP class UID.</param>
/// <param name="TransferSyntax">Accepted transfer syntax (empty when rejected).</param>
/// <param name="Result">Acceptance or the reason of rejection.</param>
/// <param name="RequestorIsScu">The association requestor may act as SCU on this context.</param>
/// <param name="RequestorIsScp">The association requestor may act as SCP on this context (C-GET storage).</param>
public sealed record NegotiatedPresentationContext(
    byte Id, string AbstractSyntax, string TransferSyntax, PresentationContextResult Result,
    bool RequestorIsScu = true, bool RequestorIsScp = false)
{
    /// <summary>True when the context was accepted.</summary>
    public bool IsAccepted => Result == PresentationContextResult.Accepted;
}

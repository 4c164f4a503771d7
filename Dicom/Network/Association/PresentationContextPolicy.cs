namespace Mirc.Dicom.Network;

/// <summary>
/// What the acceptor supports: per abstract syntax, the acceptable transfer syntaxes in the acceptor's order of
/// preference, and whether the requestor may take the SCP role (C-GET storage sub-operations).
/// </summary>
public sealed class PresentationContextPolicy
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(IReadOnlyList<string> TransferSyntaxes, bool AllowRequestorScp, IReadOnlyList<string>? RetrieveTransferSyntaxes);

    /// <summary>Accepts <paramref name="abstractSyntax"/> with any of <paramref name="transferSyntaxes"/> (first = preferred).</summary>
    /// <param name="abstractSyntax">SOP class UID.</param>
    /// <param name="transferSyntaxes">Acceptable transfer syntaxes, preferred first.</param>
    /// <param name="allowRequestorScp">Grant the SCP role to the requestor when it asks for it (storage classes for C-GET).</param>
    /// <param name="retrieveTransferSyntaxes">
    /// For a context where the requestor takes the SCP role (it receives C-GET sub-operations): the syntaxes this side can
    /// produce from anything it holds. The requestor's order wins among them; when it proposed none of them, its first
    /// syntax in <paramref name="transferSyntaxes"/> is accepted (instances stored in exactly that syntax go there).
    /// </param>
    public PresentationContextPolicy Add(string abstractSyntax, IReadOnlyList<string> transferSyntaxes, bool allowRequestorScp = false,
        IReadOnlyList<string>? retrieveTransferSyntaxes = null)
    {
        _entries[abstractSyntax] = new Entry(transferSyntaxes, allowRequestorScp, retrieveTransferSyntaxes);
        return this;
    }

    /// <summary>Adds every abstract syntax of <paramref name="abstractSyntaxes"/> with the same transfer syntaxes.</summary>
    public PresentationContextPolicy AddRange(IEnumerable<string> abstractSyntaxes, IReadOnlyList<string> transferSyntaxes, bool allowRequestorScp = false,
        IReadOnlyList<string>? retrieveTransferSyntaxes = null)
    {
        foreach (var a in abstractSyntaxes) Add(a, transferSyntaxes, allowRequestorScp, retrieveTransferSyntaxes);
        return this;
    }

    /// <summary>Negotiates one proposed context against this policy.</summary>
    public NegotiatedPresentationContext Negotiate(PresentationContextProposal proposal)
    {
        if (!_entries.TryGetValue(proposal.AbstractSyntax, out var entry))
            return new(proposal.Id, proposal.AbstractSyntax, "", PresentationContextResult.AbstractSyntaxNotSupported);

        var scu = proposal.RequestorScuRole ?? true;
        var scp = (proposal.RequestorScpRole ?? false) && entry.AllowRequestorScp;
        // A C-GET receiver (SCP role only): send in what it prefers among what can be produced, else in its first known syntax.
        var chosen = scp && !(proposal.RequestorScuRole ?? false) && entry.RetrieveTransferSyntaxes is { } producible
            ? FirstProposed(proposal.TransferSyntaxes, producible) ?? FirstProposed(proposal.TransferSyntaxes, entry.TransferSyntaxes)
            : FirstAcceptable(entry.TransferSyntaxes, proposal.TransferSyntaxes);
        if (chosen is null)
            return new(proposal.Id, proposal.AbstractSyntax, "", PresentationContextResult.TransferSyntaxesNotSupported);
        return new(proposal.Id, proposal.AbstractSyntax, chosen, PresentationContextResult.Accepted, scu, scp);
    }

    /// <summary>Acceptor's preference wins: the first acceptable syntax that the requestor also proposed.</summary>
    private static string? FirstAcceptable(IReadOnlyList<string> acceptable, IReadOnlyList<string> proposed)
    {
        foreach (var ts in acceptable)
        {
            if (proposed.Contains(ts, StringComparer.Ordinal)) return ts;
        }
        return null;
    }

    /// <summary>Requestor's preference wins: its first proposed syntax that is in <paramref name="allowed"/>.</summary>
    private static string? FirstProposed(IReadOnlyList<string> proposed, IReadOnlyList<string> allowed)
    {
        foreach (var ts in proposed)
        {
            if (allowed.Contains(ts, StringComparer.Ordinal)) return ts;
        }
        return null;
    }
}

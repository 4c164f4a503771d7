namespace Mirc.Dicom.Network;

/// <summary>
/// What the acceptor supports: per abstract syntax, the acceptable transfer syntaxes in the acceptor's order of
/// preference, and whether the requestor may take the SCP role (C-GET storage sub-operations).
/// </summary>
public sealed class PresentationContextPolicy
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(IReadOnlyList<string> TransferSyntaxes, bool AllowRequestorScp);

    /// <summary>Accepts <paramref name="abstractSyntax"/> with any of <paramref name="transferSyntaxes"/> (first = preferred).</summary>
    /// <param name="abstractSyntax">SOP class UID.</param>
    /// <param name="transferSyntaxes">Acceptable transfer syntaxes, preferred first.</param>
    /// <param name="allowRequestorScp">Grant the SCP role to the requestor when it asks for it (storage classes for C-GET).</param>
    public PresentationContextPolicy Add(string abstractSyntax, IReadOnlyList<string> transferSyntaxes, bool allowRequestorScp = false)
    {
        _entries[abstractSyntax] = new Entry(transferSyntaxes, allowRequestorScp);
        return this;
    }

    /// <summary>Adds every abstract syntax of <paramref name="abstractSyntaxes"/> with the same transfer syntaxes.</summary>
    public PresentationContextPolicy AddRange(IEnumerable<string> abstractSyntaxes, IReadOnlyList<string> transferSyntaxes, bool allowRequestorScp = false)
    {
        foreach (var a in abstractSyntaxes) Add(a, transferSyntaxes, allowRequestorScp);
        return this;
    }

    /// <summary>Negotiates one proposed context against this policy.</summary>
    public NegotiatedPresentationContext Negotiate(PresentationContextProposal proposal)
    {
        if (!_entries.TryGetValue(proposal.AbstractSyntax, out var entry))
            return new(proposal.Id, proposal.AbstractSyntax, "", PresentationContextResult.AbstractSyntaxNotSupported);

        // Acceptor's preference wins: the first acceptable syntax that the requestor also proposed.
        string? chosen = null;
        foreach (var ts in entry.TransferSyntaxes)
        {
            foreach (var proposed in proposal.TransferSyntaxes)
            {
                if (string.Equals(ts, proposed, StringComparison.Ordinal)) { chosen = ts; break; }
            }
            if (chosen is not null) break;
        }
        if (chosen is null)
            return new(proposal.Id, proposal.AbstractSyntax, "", PresentationContextResult.TransferSyntaxesNotSupported);

        var scu = proposal.RequestorScuRole ?? true;
        var scp = (proposal.RequestorScpRole ?? false) && entry.AllowRequestorScp;
        return new(proposal.Id, proposal.AbstractSyntax, chosen, PresentationContextResult.Accepted, scu, scp);
    }
}

namespace Mirc.Dicom.Network;

/// <summary>The application's answer to an A-ASSOCIATE-RQ.</summary>
public sealed class AssociationDecision
{
    private AssociationDecision() { }

    /// <summary>Contexts policy when accepted.</summary>
    public PresentationContextPolicy? Policy { get; private init; }

    /// <summary>Rejection when rejected.</summary>
    public AssociationRejection? Rejection { get; private init; }

    /// <summary>Server response for the user identity negotiation (e.g. a SAML/Kerberos response); empty = plain positive response.</summary>
    public byte[]? UserIdentityServerResponse { get; private init; }

    /// <summary>Opaque application state attached to the association (e.g. the authenticated principal); handed back to every service call.</summary>
    public object? ApplicationState { get; private init; }

    /// <summary>Accept with the contexts <paramref name="policy"/> supports.</summary>
    public static AssociationDecision Accept(PresentationContextPolicy policy, object? applicationState = null, byte[]? userIdentityServerResponse = null) =>
        new() { Policy = policy, ApplicationState = applicationState, UserIdentityServerResponse = userIdentityServerResponse };

    /// <summary>Reject the association.</summary>
    public static AssociationDecision Reject(AssociationRejection rejection) => new() { Rejection = rejection };
}

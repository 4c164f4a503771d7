using Mirc.Dicom.Network;

namespace Mirc.DicomCli;

/// <summary>Turns an association rejection into what to change on the command line (or in the archive).</summary>
internal static class AssociationHint
{
    public static string Explain(DicomAssociationException exception, CliArguments cli)
    {
        var hint = exception.Rejection switch
        {
            { Source: AssociationRejectSource.ServiceUser, Reason: 3 } =>
                $"The peer does not know the calling AE title '{cli.CallingAe}'. Pass -aet with an AE title registered for your "
                + "establishment (the demo seeds MIRC-SCU, STORESCU, FINDSCU, GETSCU, MOVESCU, ECHOSCU), or register this one: "
                + "Mirc:Seed:Establishments:N:AeTitles in Silo/appsettings.json, or PUT /api/establishments/{id}/ae-titles/{aeTitle} with an administrator token.",
            { Source: AssociationRejectSource.ServiceUser, Reason: 7 } =>
                $"The peer is not '{cli.CalledAe}'. Pass -aec with its AE title (the archive's is Mirc:Dicom:AeTitle, MIRC by default).",
            { Result: AssociationRejectResult.Transient } =>
                "The peer is busy (too many associations, Mirc:Dicom:MaxAssociations on the archive): retry shortly.",
            null => null,
            _ => "Check -aet, -aec and the user identity (-u/-pw) against the peer's configuration.",
        };
        return hint is null ? exception.Message : $"{exception.Message}\n{hint}";
    }
}

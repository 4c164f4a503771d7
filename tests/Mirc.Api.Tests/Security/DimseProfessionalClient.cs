using Mirc.Dicom;
using Mirc.Dicom.Network;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Api.Tests.Security;

/// <summary>
/// A professional on the DIMSE path: a local account (password + TOTP) created through its grain, then one association
/// from an AE of the professional's establishment with user identity negotiation (username + "password+TOTP code"),
/// running a study-level C-FIND and a C-GET. (Debian's dcmtk 3.6.7 findscu/getscu cannot send a user identity.)
/// </summary>
internal static class DimseProfessionalClient
{
    private const string Password = "Amber-Harbor-Quill-58";
    private static readonly string[] Uncompressed = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    /// <summary>What one association saw of <paramref name="studyUid"/>.</summary>
    public sealed record Outcome(int FindMatches, int Retrieved, ushort GetStatus);

    /// <summary>Creates the account of <paramref name="principal"/> (username derived from its RPPS) and returns its TOTP secret.</summary>
    public static async Task<(string Username, byte[] Secret)> CreateAccountAsync(IGrainFactory grains, ProfessionalPrincipal principal)
    {
        var username = "dimse-" + principal.ProfessionalId;
        var enrolment = await grains.GetGrain<ILocalAccountGrain>(username).CreateAsync(
            new LocalAccountProfile { Username = username, EstablishmentId = principal.EstablishmentId, Roles = principal.Roles, Rpps = principal.Rpps },
            Password, mustChangePassword: false);
        return (username, Base32.Decode(enrolment.SecretBase32));
    }

    /// <summary>C-FIND then C-GET of one study on one association authenticated as the account.</summary>
    public static async Task<Outcome> FindAndGetAsync(int port, string callingAe, string username, byte[] totpSecret, string studyUid, CancellationToken ct)
    {
        var passcode = Password + new OtpNet.Totp(totpSecret).ComputeTotp(DateTime.UtcNow);
        var storage = DicomUids.StorageSopClasses.Take(100)
            .Select(s => new PresentationContextProposal(0, s, Uncompressed) { RequestorScuRole = false, RequestorScpRole = true });
        var options = new DicomClientOptions { UserIdentity = new UserIdentity(UserIdentityType.UsernameAndPasscode, username, passcode, true) };
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", port, callingAe, "MIRC",
            [new(0, DicomUids.StudyRootQueryRetrieveInformationModelFind, Uncompressed), new(0, DicomUids.StudyRootQueryRetrieveInformationModelGet, Uncompressed), .. storage],
            options, ct: ct);

        var matches = 0;
        var find = new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY").Set(DicomTag.StudyInstanceUID, studyUid);
        await foreach (var match in client.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind, find, ct))
        {
            if (match.GetStringOrDefault(DicomTag.StudyInstanceUID) == studyUid) matches++;
        }

        var retrieved = 0;
        var get = new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY").Set(DicomTag.StudyInstanceUID, studyUid);
        var result = await client.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet, get, async (_, data, token) =>
        {
            await data.CopyToAsync(Stream.Null, token);
            Interlocked.Increment(ref retrieved);
            return DimseResult.Success;
        }, null, ct);
        await client.ReleaseAsync(ct);
        return new Outcome(matches, retrieved, result.Status);
    }
}

using Mirc.Dicom;
using Mirc.Dicom.Network;
using Mirc.Dicom.PixelData;
using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Dimse;

/// <summary>Which abstract and transfer syntaxes the archive accepts, by what the calling AE may do.</summary>
public static class ArchivePresentationContexts
{
    /// <summary>Storage is byte-exact in whatever syntax was proposed: uncompressed first, then every other known one.</summary>
    private static readonly string[] StorageTransferSyntaxes =
    [
        DicomUids.ExplicitVRLittleEndian,
        DicomUids.ImplicitVRLittleEndian,
        .. DicomTransferSyntax.All
            .Select(t => t.Uid)
            .Where(u => u != DicomUids.ExplicitVRLittleEndian && u != DicomUids.ImplicitVRLittleEndian)
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>
    /// What a C-GET receiver can be sent whatever the stored syntax: uncompressed (every decodable syntax decodes to it)
    /// and the compressed syntaxes with a lossless encoder (a lossy one is never chosen for a peer).
    /// </summary>
    private static readonly string[] RetrieveTransferSyntaxes =
    [
        DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian, DicomUids.DeflatedExplicitVRLittleEndian,
        .. PixelFrameCodecs.LosslessEncodable,
    ];

    private static readonly string[] CommandTransferSyntaxes = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    private static readonly string[] StorageSopClasses = [.. DicomUids.StorageSopClasses];

    /// <summary>Builds the policy for an association with <paramref name="permissions"/>.</summary>
    public static PresentationContextPolicy For(AePermissions permissions)
    {
        var policy = new PresentationContextPolicy().Add(DicomUids.Verification, CommandTransferSyntaxes);
        if ((permissions & AePermissions.Store) != 0 || (permissions & AePermissions.Retrieve) != 0)
        {
            // SCP role on storage classes lets a C-GET requestor receive its sub-operations on the same association.
            policy.AddRange(StorageSopClasses, StorageTransferSyntaxes, allowRequestorScp: (permissions & AePermissions.Retrieve) != 0,
                retrieveTransferSyntaxes: RetrieveTransferSyntaxes);
        }

        if ((permissions & AePermissions.Query) != 0)
        {
            policy.Add(DicomUids.PatientRootQueryRetrieveInformationModelFind, CommandTransferSyntaxes);
            policy.Add(DicomUids.StudyRootQueryRetrieveInformationModelFind, CommandTransferSyntaxes);
        }

        if ((permissions & AePermissions.Retrieve) != 0)
        {
            policy.Add(DicomUids.PatientRootQueryRetrieveInformationModelGet, CommandTransferSyntaxes);
            policy.Add(DicomUids.StudyRootQueryRetrieveInformationModelGet, CommandTransferSyntaxes);
            policy.Add(DicomUids.PatientRootQueryRetrieveInformationModelMove, CommandTransferSyntaxes);
            policy.Add(DicomUids.StudyRootQueryRetrieveInformationModelMove, CommandTransferSyntaxes);
        }

        return policy;
    }

    /// <summary>True for the Patient Root information models (PATIENT level allowed).</summary>
    public static bool IsPatientRoot(string sopClassUid) =>
        sopClassUid is DicomUids.PatientRootQueryRetrieveInformationModelFind
            or DicomUids.PatientRootQueryRetrieveInformationModelGet
            or DicomUids.PatientRootQueryRetrieveInformationModelMove;
}

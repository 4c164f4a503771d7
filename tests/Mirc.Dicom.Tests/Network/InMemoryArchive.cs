using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Mirc.Dicom.Network;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Test service handler: keeps stored datasets in memory, answers queries from them, retrieves Part 10 files.</summary>
internal sealed class InMemoryArchive : IDicomServiceHandler
{
    public static readonly string[] UncompressedAndJpeg =
    [
        DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian, DicomUids.JPEGLosslessSV1, DicomUids.JPEGLossless,
    ];

    public ConcurrentDictionary<string, StoredInstance> Stored { get; } = new();

    /// <summary>Part 10 files served by C-GET / C-MOVE, keyed by SOP instance.</summary>
    public ConcurrentDictionary<string, (byte[] File, string Study, string TransferSyntax)> Files { get; } = new();

    public ConcurrentBag<Exception> StoreFailures { get; } = [];
    public ConcurrentQueue<AssociationRequest> Associations { get; } = new();
    public Dictionary<string, DicomRemoteNode> Destinations { get; } = [];
    public string? RequiredCallingAe { get; set; }
    public (string User, string Password)? RequiredCredentials { get; set; }
    public TaskCompletionSource? StoreStarted { get; set; }
    public int FindMatches { get; set; } = 3;

    /// <summary>C-STORE of this SOP instance is refused (A700) without reading the dataset.</summary>
    public string? RefuseUnread { get; set; }
    public TimeSpan FindDelay { get; set; }

    /// <summary>Pause before each retrieve sub-operation (lets a test's C-CANCEL arrive before the last one is sent).</summary>
    public TimeSpan SubOperationDelay { get; set; }

    public sealed record StoredInstance(string SopClassUid, string TransferSyntaxUid, byte[] DataSet, string CallingAe);

    public ValueTask<AssociationDecision> OnAssociationRequestAsync(AssociationRequest request, CancellationToken ct)
    {
        Associations.Enqueue(request);
        if (RequiredCallingAe is not null && request.CallingAe != RequiredCallingAe)
            return ValueTask.FromResult(AssociationDecision.Reject(AssociationRejection.CallingAeNotRecognized));
        if (RequiredCredentials is { } creds &&
            (request.UserIdentity is not { Type: UserIdentityType.UsernameAndPasscode } id || id.PrimaryField != creds.User || id.SecondaryField != creds.Password))
            return ValueTask.FromResult(AssociationDecision.Reject(AssociationRejection.NoReason));
        var policy = new PresentationContextPolicy()
            .Add(DicomUids.Verification, [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian])
            .AddRange(DicomUids.StorageSopClasses, UncompressedAndJpeg, allowRequestorScp: true)
            .AddRange([DicomUids.StudyRootQueryRetrieveInformationModelFind, DicomUids.PatientRootQueryRetrieveInformationModelFind,
                DicomUids.StudyRootQueryRetrieveInformationModelGet, DicomUids.StudyRootQueryRetrieveInformationModelMove,
                DicomUids.PatientRootQueryRetrieveInformationModelGet, DicomUids.PatientRootQueryRetrieveInformationModelMove],
                [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian]);
        return ValueTask.FromResult(AssociationDecision.Accept(policy, applicationState: request.UserIdentity?.PrimaryField));
    }

    public async ValueTask<DimseResult> OnCStoreAsync(DicomServiceContext context, CStoreRequest request, Stream dataSet, CancellationToken ct)
    {
        StoreStarted?.TrySetResult();
        if (request.SopInstanceUid == RefuseUnread) return new DimseResult(DimseStatus.OutOfResources, "refused");
        var buffer = new MemoryStream();
        try
        {
            // Reads with the operation's token (what the handler contract is about); the copy into memory takes none, or
            // a teardown cancelling the token between a read and its write would fail the write, not the stream.
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await dataSet.ReadAsync(chunk, ct)) > 0) buffer.Write(chunk, 0, read);
        }
        catch (Exception ex)
        {
            StoreFailures.Add(ex);
            throw;
        }
        Stored[request.SopInstanceUid] = new StoredInstance(request.SopClassUid, request.TransferSyntaxUid, buffer.ToArray(), context.CallingAe);
        return DimseResult.Success;
    }

    public async IAsyncEnumerable<DicomDataset> OnCFindAsync(DicomServiceContext context, DicomQueryRequest request,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var patientId = request.Identifier.GetStringOrDefault(DicomTag.PatientID) ?? "";
        for (var i = 0; i < FindMatches; i++)
        {
            if (FindDelay > TimeSpan.Zero) await Task.Delay(FindDelay, ct);
            yield return new DicomDataset()
                .Set(DicomTag.QueryRetrieveLevel, "STUDY")
                .Set(DicomTag.PatientID, patientId)
                .Set(DicomTag.StudyInstanceUID, $"1.2.3.{i + 1}");
        }
    }

    public IAsyncEnumerable<DicomInstanceSource> OnCGetAsync(DicomServiceContext context, DicomQueryRequest request, CancellationToken ct) =>
        Sources(request);

    public IAsyncEnumerable<DicomInstanceSource> OnCMoveAsync(DicomServiceContext context, DicomQueryRequest request, CancellationToken ct) =>
        Sources(request);

    public ValueTask<DicomRemoteNode?> ResolveMoveDestinationAsync(DicomServiceContext context, string aeTitle, CancellationToken ct) =>
        ValueTask.FromResult(Destinations.GetValueOrDefault(aeTitle));

    private async IAsyncEnumerable<DicomInstanceSource> Sources(DicomQueryRequest request)
    {
        await Task.Yield();
        var study = request.Identifier.GetStringOrDefault(DicomTag.StudyInstanceUID);
        foreach (var (uid, f) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (study is not null && study.Length > 0 && f.Study != study) continue;
            var bytes = f.File;
            if (SubOperationDelay > TimeSpan.Zero) await Task.Delay(SubOperationDelay);
            yield return new DicomInstanceSource(TestFiles.SecondaryCapture, uid, f.TransferSyntax,
                _ => ValueTask.FromResult<Stream>(new MemoryStream(bytes, writable: false)));
        }
    }

    public void AddFile(byte[] part10, string sopInstanceUid, string study, string transferSyntax) =>
        Files[sopInstanceUid] = (part10, study, transferSyntax);
}

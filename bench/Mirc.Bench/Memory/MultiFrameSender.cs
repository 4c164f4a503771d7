using Mirc.Bench.Data.Synthesis;
using Mirc.Bench.Dimse;
using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.Bench.Memory;

/// <summary>C-STORE of the synthetic multi-frame instance straight from <see cref="SyntheticMultiFrameStream"/> (the client streams the data set).</summary>
public sealed class MultiFrameSender(DimseTarget target, TimeSpan timeout)
{
    /// <summary>Stores <paramref name="spec"/> on a new association; returns one image and the data set bytes sent.</summary>
    public async Task<(long Images, long Bytes)> StoreAsync(StreamedMultiFrameSpec spec, CancellationToken cancellationToken)
    {
        var proposals = DicomClient.ProposalsFor([(SyntheticSeriesSpec.XaImageStorage, DicomUids.ExplicitVRLittleEndian)]);
        await using var client = await DicomClient.ConnectAsync(target.Host, target.Port, target.CallingAe, target.CalledAe, proposals,
            new DicomClientOptions { MaxPduLength = 256 * 1024, DimseTimeout = timeout }, null, cancellationToken).ConfigureAwait(false);
        await using var part10 = new SyntheticMultiFrameStream(spec);
        var result = await client.StoreAsync(part10, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (!DimseStatus.IsSuccessOrWarning(result.Status))
        {
            throw new InvalidOperationException($"C-STORE of the multi-frame instance: status 0x{result.Status:X4} {result.ErrorComment}");
        }

        await client.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        return (1, part10.Length - part10.DatasetOffset);
    }
}

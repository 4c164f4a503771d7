using System.Collections.Concurrent;
using System.Diagnostics;
using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.Integration.Tests.Cluster;

/// <summary>
/// Sends instances with our own SCU over several associations and records, per SOP Instance UID, what the archive
/// answered: a status (0000 = acknowledged, i.e. durably stored), or nothing at all (the association broke while the
/// store was in flight: the response was lost, the archive may or may not have kept it). An association that breaks is
/// replaced by one to another silo, and the instances not yet sent go on there.
/// </summary>
internal sealed class StoreLedger
{
    private static readonly string[] Explicit = [DicomUids.ExplicitVRLittleEndian];
    private readonly ConcurrentDictionary<string, ushort?> _answers = new();
    private int _acknowledged;

    /// <summary>SOP Instance UIDs answered 0000.</summary>
    public IReadOnlySet<string> Acknowledged => _answers.Where(a => a.Value == DimseStatus.Success).Select(a => a.Key).ToHashSet();

    /// <summary>SOP Instance UIDs whose store got no answer.</summary>
    public IReadOnlySet<string> Lost => _answers.Where(a => a.Value is null).Select(a => a.Key).ToHashSet();

    /// <summary>SOP Instance UIDs answered with a failure status.</summary>
    public IReadOnlyDictionary<string, ushort> Refused => _answers.Where(a => a.Value is { } s && s != DimseStatus.Success).ToDictionary(a => a.Key, a => a.Value!.Value);

    public string Summary => $"{Acknowledged.Count} acknowledged, {Refused.Count} refused ({string.Join(", ", Refused.Values.Distinct().Select(s => s.ToString("X4")))}), {Lost.Count} lost";

    /// <summary>Records a store done before the run (e.g. the one that activates the study grain).</summary>
    public void Record(string sopUid, ushort status) => _answers[sopUid] = status;

    /// <summary>
    /// Stores <paramref name="files"/> over <paramref name="associations"/> associations to the silo <paramref name="port"/>
    /// gives; <paramref name="onAcknowledged"/> sees the running count of acknowledgements (to trigger a fault mid-way).
    /// </summary>
    public async Task SendAsync(IReadOnlyList<string> files, int associations, Func<int> port, Action<int> onAcknowledged, CancellationToken ct)
    {
        var queue = new ConcurrentQueue<string>(files);
        await Task.WhenAll(Enumerable.Range(0, associations).Select(_ => Task.Run(() => WorkAsync(queue, port, onAcknowledged, ct), ct)));
    }

    private async Task WorkAsync(ConcurrentQueue<string> queue, Func<int> port, Action<int> onAcknowledged, CancellationToken ct)
    {
        // Until the membership declares a killed silo dead (~10 s), a survivor may refuse associations (the grains it needs
        // lived on the dead silo): a modality retries; so does this one, for a bounded time.
        var retrying = Stopwatch.StartNew();
        while (!queue.IsEmpty)
        {
            DicomClient client;
            try
            {
                client = await DicomClient.ConnectAsync("127.0.0.1", port(), SiloProcessCluster.CallingAe, "MIRC",
                    [new PresentationContextProposal(0, DicomUids.CTImageStorage, Explicit)], new DicomClientOptions { ConnectTimeout = TimeSpan.FromSeconds(5) }, ct: ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && retrying.Elapsed < TimeSpan.FromSeconds(45))
            {
                await Task.Delay(250, ct);
                continue;
            }

            retrying.Restart();
            await using (client)
            {
                while (queue.TryDequeue(out var file))
                {
                    var sop = Path.GetFileNameWithoutExtension(file);
                    DimseResult result;
                    try
                    {
                        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        bounded.CancelAfter(TimeSpan.FromSeconds(40));
                        result = await client.StoreAsync(file, bounded.Token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        // No answer: the association is gone with whatever the archive did with this instance.
                        _answers[sop] = null;
                        break;
                    }

                    _answers[sop] = result.Status;
                    if (result.Status == DimseStatus.Success)
                    {
                        onAcknowledged(Interlocked.Increment(ref _acknowledged));
                    }
                }
            }
        }
    }
}

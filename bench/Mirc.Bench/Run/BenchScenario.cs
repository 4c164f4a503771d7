using Mirc.Bench.Cli;
using Mirc.Bench.Data;
using Mirc.Bench.DicomWeb;
using Mirc.Bench.Dimse;
using Mirc.Bench.Measurement;

namespace Mirc.Bench.Run;

/// <summary>The order of a run: ingest (STOW-RS, C-STORE and its scaling), then queries, then retrievals.</summary>
public sealed class BenchScenario(BenchOptions options, BenchData data)
{
    /// <summary>Runs every enabled operation against the target and returns the figures in run order.</summary>
    public async Task<IReadOnlyList<OperationResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<OperationResult>();
        var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        using var http = options.DicomWeb
            ? DicomWebClientFactory.Create(options.DicomWebUrl!, options.Bearer, Math.Max(Math.Max(options.StowParallel, options.Clients), 4), timeout)
            : null;
        var web = http is null ? null : new DicomWebPhase(options, new DicomWebDriver(http));
        var dimse = options.Dimse
            ? new DimsePhase(options, new DimseDriver(new DimseTarget(options.DicomHost, options.DicomPort, options.CalledAe, options.CallingAe), timeout))
            : null;

        if (options.WarmUp)
        {
            await WarmUpAsync(web, dimse, cancellationToken).ConfigureAwait(false);
        }

        // Ingest. The CT stored first is the one every retrieval reads; the other C-STORE runs use fresh copies.
        if (web is not null)
        {
            results.Add(await web.StoreAsync($"dicomweb.stow.b{options.StowBatch}.k{options.StowParallel}", data.Ct, cancellationToken).ConfigureAwait(false));
            foreach (var other in data.Others)
            {
                results.Add(await web.StoreAsync($"dicomweb.stow.{other.Name}", other, cancellationToken).ConfigureAwait(false));
            }
        }

        if (dimse is not null)
        {
            var main = web is null ? data.Ct : data.CtCopy($"c-store-k{options.Associations}");
            results.Add(await dimse.StoreAsync($"dimse.c-store.k{options.Associations}", main, options.Associations, cancellationToken).ConfigureAwait(false));
            if (web is null)
            {
                foreach (var other in data.Others)
                {
                    results.Add(await dimse.StoreAsync($"dimse.c-store.{other.Name}", other, options.Associations, cancellationToken).ConfigureAwait(false));
                }
            }

            foreach (var associations in options.Scaling)
            {
                var copy = data.CtCopy($"scaling-k{associations}");
                results.Add(await dimse.StoreAsync($"dimse.c-store.scaling.k{associations}", copy, associations, cancellationToken).ConfigureAwait(false));
            }
        }

        // One-instance studies: the cost of a new study and a new patient, per protocol (images/s = studies/s).
        if (web is not null && data.SmallStudies("stow") is { } smallByStow)
        {
            results.Add(await web.StoreAsync("dicomweb.stow.one-instance-studies", smallByStow, cancellationToken, batchSize: 50, parallel: 1).ConfigureAwait(false));
        }

        if (dimse is not null && data.SmallStudies("c-store") is { } smallByDimse)
        {
            results.Add(await dimse.StoreAsync($"dimse.c-store.one-instance-studies.k{options.Associations}", smallByDimse, options.Associations, cancellationToken).ConfigureAwait(false));
        }

        // Queries: the CT's patient has at least the CT and the other studies stored for that patient.
        var patientStudies = 1 + data.Others.Count(s => s.PatientId == data.Ct.PatientId);
        if (web is not null)
        {
            results.Add(await web.FindStudiesAsync(data.Ct.PatientId, patientStudies, cancellationToken).ConfigureAwait(false));
        }

        if (dimse is not null)
        {
            results.Add(await dimse.FindStudiesAsync(data.Ct.PatientId, patientStudies, cancellationToken).ConfigureAwait(false));
        }

        // Retrievals. The first read of the study stored in this run is a row of its own (a viewer opening a study just
        // received reads what the server's write path left, or did not leave, in the page cache); the measured reads
        // after it start from the same warm state on every server.
        if (options.WarmUp)
        {
            Console.Error.WriteLine("first read of the stored study (reported apart)");
            var first = await (web is not null
                ? web.RetrieveStudyAsync(data.Ct, cancellationToken, repeat: 1)
                : dimse!.GetStudyAsync(data.Ct, cancellationToken, repeat: 1)).ConfigureAwait(false);
            results.Add(FirstRead(first));
        }

        if (web is not null)
        {
            results.Add(await web.RetrieveStudyAsync(data.Ct, cancellationToken).ConfigureAwait(false));
            results.Add(await web.RetrieveSeriesAsync(data.Ct, cancellationToken).ConfigureAwait(false));
            results.Add(await web.RetrieveInstancesAsync(data.Ct, cancellationToken).ConfigureAwait(false));
            if (data.MultiFrame is { } mf)
            {
                results.Add(await web.RetrieveFramesAsync(mf.Study, mf.Instance, cancellationToken).ConfigureAwait(false));
            }

            // Many viewers at once: the query and the instance reads under load, and the server's memory meanwhile.
            if (options.Clients > 0)
            {
                results.Add(await web.FindStudiesConcurrentlyAsync(data.Ct.PatientId, patientStudies, cancellationToken).ConfigureAwait(false));
                results.Add(await web.RetrieveInstancesConcurrentlyAsync(data.Ct, cancellationToken).ConfigureAwait(false));
            }
        }

        if (dimse is not null)
        {
            results.Add(await dimse.GetStudyAsync(data.Ct, cancellationToken).ConfigureAwait(false));
            var sopClasses = data.Others.Prepend(data.Ct).SelectMany(s => s.Instances).Select(i => i.SopClassUid);
            await using var receiver = MoveReceiver.Start(sopClasses, options.MovePort);
            results.Add(await dimse.MoveStudyAsync(data.Ct, receiver, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>
    /// A study retrieval renamed as the first read of the study (<c>dicomweb.wado.first.study</c>,
    /// <c>dimse.c-get.first.study</c>): a row of its own, which the targets of the repeated reads do not apply to.
    /// </summary>
    internal static OperationResult FirstRead(OperationResult retrieval) => retrieval with
    {
        Name = retrieval.Name.Replace(".study", ".first.study", StringComparison.Ordinal),
        Description = $"first read of the study stored in this run: {retrieval.Description}",
    };

    /// <summary>
    /// Stores <see cref="BenchOptions.WarmUpRounds"/> fresh CT copies per protocol, then retrieves one once per protocol;
    /// the figures are discarded (failures show in the later ones).
    /// </summary>
    private async Task WarmUpAsync(DicomWebPhase? web, DimsePhase? dimse, CancellationToken cancellationToken)
    {
        BenchStudy? stored = null;
        for (var round = 1; round <= options.WarmUpRounds; round++)
        {
            Console.Error.WriteLine($"warm-up {round}/{options.WarmUpRounds}: storing {data.Ct.Instances.Count} instances per protocol (not measured)");
            if (web is not null)
            {
                stored = data.CtCopy($"warm-up-{round}");
                await web.StoreAsync("warm-up.stow", stored, cancellationToken).ConfigureAwait(false);
            }

            if (dimse is not null)
            {
                stored = data.CtCopy($"warm-up-dimse-{round}");
                await dimse.StoreAsync("warm-up.c-store", stored, options.Associations, cancellationToken).ConfigureAwait(false);
            }
        }

        if (web is not null)
        {
            await web.RetrieveStudyAsync(stored!, cancellationToken, repeat: 1).ConfigureAwait(false);
        }

        if (dimse is not null)
        {
            await dimse.GetStudyAsync(stored!, cancellationToken, repeat: 1).ConfigureAwait(false);
        }
    }
}

using System.Runtime.InteropServices;
using Apart.Abstractions;
using Apart.Host.Codecs;
using Apart.Host.Core;
using Apart.Host.Jobs;
using Apart.Host.Logging;
using Apart.Host.Mounting;
using Apart.Host.Native;
using Apart.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apart.Host;

/// <summary>
/// Builds and runs a core: its settings, its log, the plugins' and its own services, and the
/// signals that stop it. No application framework: a core is one service run from start to end,
/// and starting fast is part of its job (presenters wait for its first message).
/// </summary>
internal static class CoreHost
{
    /// <summary>
    /// Runs a core until it ends; its exit status. Connect mode reaches the presenter at
    /// <paramref name="address"/>; with <paramref name="listen"/>, service mode binds it (or the
    /// Listen setting).
    /// </summary>
    public static async Task<int> RunAsync(string? address, bool listen)
    {
        CoreSettings settings;
        ServiceOptions? service;
        try
        {
            settings = CoreSettings.Load(AppContext.BaseDirectory);
            service = listen ? ReadServiceOptions(settings, address) : null;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"apart-core: {e.Message}").ConfigureAwait(false);
            return ExitStatus.Usage;
        }

        if (service?.Problem() is { } problem)
        {
            await Console.Error.WriteLineAsync($"apart-core: {problem}").ConfigureAwait(false);
            return ExitStatus.Usage;
        }

        var options = new CoreOptions(
            service?.Address ?? address!,
            PluginFolderLoader.BesideExecutable,
            settings["StateDirectory"] ?? "/var/lib/apart-core")
        {
            Service = service,
            CacheDirectory = settings["CacheDirectory"] ?? CoreOptions.DefaultCacheDirectory,
            RuntimeDirectory = settings["RuntimeDirectory"] ?? CoreOptions.DefaultRuntimeDirectory,
            StartedFor = ImageOwner.StartedForThisProcess(),
        };

        var services = new ServiceCollection();
        AddLogging(services, settings);
        services.AddSingleton(PluginFolderLoader.LoadAll(options.PluginsDirectory, services));
        AddCore(services, options);
        services.AddSingleton<CoreService>();

        await using var provider = services.BuildServiceProvider();
        using var stopping = new CancellationTokenSource();
        using var interrupt = StopOn(PosixSignal.SIGINT, stopping);
        using var quit = StopOn(PosixSignal.SIGQUIT, stopping);
        using var terminate = StopOn(PosixSignal.SIGTERM, stopping);
        await provider.GetRequiredService<CoreService>().RunAsync(stopping.Token).ConfigureAwait(false);
        return provider.GetRequiredService<ExitStatus>().Code;
    }

    // The signal asks the core to stop its jobs and end as its session decides (status: dying),
    // rather than ending the process where it stands.
    private static PosixSignalRegistration StopOn(PosixSignal signal, CancellationTokenSource stopping) =>
        PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });

    private static ServiceOptions ReadServiceOptions(CoreSettings settings, string? address)
    {
        var secretFile = settings["CurveSecretKeyFile"];
        return new ServiceOptions(address ?? settings["Listen"] ?? "ipc:///run/apart/apart.sock")
        {
            SocketGroup = settings["SocketGroup"] ?? "apart",
            SocketMode = settings["SocketMode"] is { } mode ? FileModes.ParseOctal(mode) : FileModes.OwnerAndGroup,
            AllowTcp = settings.Flag("AllowTcp"),
            CurveSecretKey = settings["CurveSecretKey"] ?? (secretFile is null ? null : File.ReadAllText(secretFile).Trim()),
        };
    }

    // Information and above by default; Logging:LogLevel:Default and Logging:LogLevel:CATEGORY
    // (a category or the start of one) change that, as they did under the Generic Host.
    private static void AddLogging(IServiceCollection services, CoreSettings settings)
    {
        var journal = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null;
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Information);
            foreach (var (category, level) in settings.Section("Logging:LogLevel"))
            {
                if (Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed))
                {
                    logging.AddFilter(category.Equals("Default", StringComparison.OrdinalIgnoreCase) ? null : category, parsed);
                }
            }

            logging.AddProvider(new StandardErrorLoggerProvider(journal, TimeProvider.System));
        });
    }

    /// <summary>The core's own services: the job engine and the session of its mode (the plugins register the rest).</summary>
    internal static void AddCore(IServiceCollection services, CoreOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ExitStatus>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<CodecCatalog>();
        services.AddSingleton<Startup>();
        services.AddSingleton(provider => new InProgressJournal(
            Path.Join(options.StateDirectory, "inprogress"), provider.GetRequiredService<ILogger<InProgressJournal>>()));
        services.AddSingleton<LoopMapper>();
        services.AddSingleton(provider => new MountJournal(
            Path.Join(options.StateDirectory, MountJournal.Folder), provider.GetRequiredService<ILogger<MountJournal>>()));
        services.AddSingleton<IImageMounts, ImageMounts>();
        services.AddSingleton<JobServices>();
        services.AddSingleton<JobRegistry>();
        services.AddSingleton<ImageDeleter>();
        services.AddSingleton(new Mounting.MountIndexFiles(options.CacheDirectory));
        services.AddSingleton<Mounting.MountableImages>();
        services.AddSingleton<Mounting.ImageMounter>();
        services.AddSingleton<StatusReporter>();
        services.AddSingleton<RequestRouter>();
        services.AddSingleton<SessionParts>();
        services.AddSingleton<SystemdNotifier>();
        services.AddSingleton<Session>(provider => options.Service is null
            ? ActivatorUtilities.CreateInstance<ConnectSession>(provider)
            : ActivatorUtilities.CreateInstance<ServiceSession>(provider));
    }
}

using Apart.Abstractions;
using Apart.Host.Codecs;
using Apart.Host.Core;
using Apart.Host.Jobs;
using Apart.Host.Mounting;
using Apart.Host.Native;
using Apart.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Apart.Host;

/// <summary>Builds and runs the Generic Host of a core.</summary>
internal static class CoreHost
{
    /// <summary>
    /// Runs a core until it ends; its exit status. Connect mode reaches the presenter at
    /// <paramref name="address"/>; with <paramref name="listen"/>, service mode binds it (or the
    /// Listen setting).
    /// </summary>
    public static async Task<int> RunAsync(string? address, bool listen)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration
            .AddJsonFile(Path.Join(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddJsonFile("/etc/apart/apart.json", optional: true, reloadOnChange: false)
            .AddEnvironmentVariables("APART_");
        ConfigureLogging(builder);

        var configuration = builder.Configuration;
        var service = listen ? ReadServiceOptions(configuration, address) : null;
        if (service?.Problem() is { } problem)
        {
            await Console.Error.WriteLineAsync($"apart-core: {problem}").ConfigureAwait(false);
            return Core.ExitStatus.Usage;
        }

        var options = new CoreOptions(
            service?.Address ?? address!,
            PluginFolderLoader.BesideExecutable,
            configuration["StateDirectory"] ?? "/var/lib/apart-core")
        {
            Service = service,
            RuntimeDirectory = configuration["RuntimeDirectory"] ?? CoreOptions.DefaultRuntimeDirectory,
            StartedFor = ImageOwner.StartedForThisProcess(),
        };
        var services = builder.Services;
        services.AddSingleton(PluginFolderLoader.LoadAll(options.PluginsDirectory, services));
        AddCore(services, options);
        services.AddHostedService<CoreService>();

        services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);

        using var host = builder.Build();
        var exit = host.Services.GetRequiredService<ExitStatus>();
        await host.RunAsync().ConfigureAwait(false);
        return exit.Code;
    }

    private static ServiceOptions ReadServiceOptions(IConfiguration configuration, string? address)
    {
        var secretFile = configuration["CurveSecretKeyFile"];
        return new ServiceOptions(address ?? configuration["Listen"] ?? "ipc:///run/apart/apart.sock")
        {
            SocketGroup = configuration["SocketGroup"] ?? "apart",
            SocketMode = configuration["SocketMode"] is { } mode ? FileModes.ParseOctal(mode) : FileModes.OwnerAndGroup,
            AllowTcp = configuration.GetValue<bool>("AllowTcp"),
            CurveSecretKey = configuration["CurveSecretKey"] ?? (secretFile is null ? null : File.ReadAllText(secretFile).Trim()),
        };
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
            Path.Join(options.StateDirectory, "mounts"), provider.GetRequiredService<ILogger<MountJournal>>()));
        services.AddSingleton<IImageMounts, ImageMounts>();
        services.AddSingleton<JobServices>();
        services.AddSingleton<JobRegistry>();
        services.AddSingleton<ImageDeleter>();
        services.AddSingleton<StatusReporter>();
        services.AddSingleton<RequestRouter>();
        services.AddSingleton<SessionParts>();
        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton<Session>(provider => options.Service is null
            ? ActivatorUtilities.CreateInstance<ConnectSession>(provider)
            : ActivatorUtilities.CreateInstance<ServiceSession>(provider));
    }

    // Logs go to standard error only: standard output is never used for anything but --help.
    // Under systemd (JOURNAL_STREAM set) they carry syslog priorities for the journal instead of
    // timestamps, which the journal adds itself.
    private static void ConfigureLogging(HostApplicationBuilder builder)
    {
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null)
        {
            builder.Logging.AddSystemdConsole();
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
                console.UseUtcTimestamp = false;
            });
        }

        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}

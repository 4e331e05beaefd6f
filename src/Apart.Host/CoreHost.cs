using Apart.Abstractions;
using Apart.Host.Codecs;
using Apart.Host.Core;
using Apart.Host.Jobs;
using Apart.Host.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Apart.Host;

/// <summary>Builds and runs the Generic Host of a core.</summary>
internal static class CoreHost
{
    /// <summary>Runs a connect-mode core until it ends; its exit status.</summary>
    public static async Task<int> RunAsync(string address)
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

        var options = new CoreOptions(
            address,
            Path.Join(AppContext.BaseDirectory, "plugins"),
            builder.Configuration["StateDirectory"] ?? "/var/lib/apart-core");
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(PluginFolderLoader.LoadAll(options.PluginsDirectory, services));
        AddCore(services, options);
        services.AddHostedService<CoreService>();

        services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);

        using var host = builder.Build();
        var exit = host.Services.GetRequiredService<ExitStatus>();
        await host.RunAsync().ConfigureAwait(false);
        return exit.Code;
    }

    private static void AddCore(IServiceCollection services, CoreOptions options)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ExitStatus>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<CodecCatalog>();
        services.AddSingleton(provider => new InProgressJournal(
            Path.Join(options.StateDirectory, "inprogress"), provider.GetRequiredService<ILogger<InProgressJournal>>()));
        services.AddSingleton<JobServices>();
        services.AddSingleton<JobRegistry>();
        services.AddSingleton<ImageDeleter>();
        services.AddSingleton<StatusReporter>();
        services.AddSingleton<RequestRouter>();
    }

    // Logs go to standard error only: standard output is never used for anything but --help.
    private static void ConfigureLogging(HostApplicationBuilder builder)
    {
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
            console.UseUtcTimestamp = false;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}

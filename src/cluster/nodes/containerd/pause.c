/*
 * The pod sandbox's one process, as registry.k8s.io/pause is: it holds the pod's namespaces while
 * the pod's containers come and go, reaps any child handed to it, and exits on SIGINT or SIGTERM.
 * orch-lab builds it here with the host's compiler (gcc -static), so a lab needs no registry.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int signal) { _exit(0); }

static void reap(int signal) {
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction exit_on = {.sa_handler = stop};
  struct sigaction reap_on = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGINT, &exit_on, 0);
  sigaction(SIGTERM, &exit_on, 0);
  sigaction(SIGCHLD, &reap_on, 0);
  for (;;) pause();
}

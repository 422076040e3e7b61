import sys
import time
from socket import *

serverName = 'server'
serverPort = 12000


def stamp(t):
    # human readable time with milliseconds
    return time.strftime('%d/%m/%Y %H:%M:%S', time.localtime(t)) + '.%03d' % (t % 1 * 1000)


clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(2)
sentence = input('Input lowercase sentence:')

time1 = time.time()  # connection request
try:
    clientSocket.connect((serverName, serverPort))
    clientSocket.sendall(sentence.encode())
    clientSocket.shutdown(SHUT_WR)
    modifiedSentence = b''
    while len(modifiedSentence) < len(sentence.encode()):
        part = clientSocket.recv(1024)
        if not part:
            break
        modifiedSentence += part
except timeout:
    print('Request timed out: server did not answer in 2 s')
    sys.exit(1)
except OSError as e:
    print('Could not reach the server:', e)
    sys.exit(1)
time2 = time.time()

print()
print('From Server:', modifiedSentence.decode())
print('Connection request sent at', stamp(time1))
print('Reply received at         ', stamp(time2))
print('RTT =', round(time2 - time1, 6), 'seconds')
clientSocket.close()

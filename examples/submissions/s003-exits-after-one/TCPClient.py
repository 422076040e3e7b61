# TCP client with RTT (Lab 3 task 2)
import os
import sys
import time
from datetime import datetime
from socket import *

serverName = os.environ.get('SERVER_HOST', 'server')
serverPort = int(os.environ.get('SERVER_PORT', 12000))

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(2)
sentence = input('Input lowercase sentence: ').encode()

sent = datetime.now()
t1 = time.perf_counter()  # from the connection request
try:
    clientSocket.connect((serverName, serverPort))
    clientSocket.sendall(sentence)
    reply = b''
    while len(reply) < len(sentence):
        data = clientSocket.recv(2048)
        if not data:
            break
        reply += data
except OSError as e:  # includes the timeout and "connection refused"
    print('ERROR: no answer from the server:', e)
    sys.exit(2)
t2 = time.perf_counter()
received = datetime.now()
clientSocket.close()

print()
print('From Server:', reply.decode())
print('Time connection request sent:', sent)
print('Time reply received:', received)
print('RTT:', round((t2 - t1) * 1000, 3), 'ms')
